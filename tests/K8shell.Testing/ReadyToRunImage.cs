using System.Reflection.PortableExecutable;

namespace K8shell.Testing;

/// <summary>Whether an assembly was compiled ahead of time (ReadyToRun), so its methods are not JIT-compiled at their first call.</summary>
public static class ReadyToRunImage
{
    /// <summary>
    /// The assemblies besides a service's own that cost its first calls the most JIT when they hold IL only:
    /// gRPC's server and protobuf.
    /// </summary>
    public static IReadOnlyList<string> HeaviestPackages { get; } = ["Grpc.AspNetCore.Server.dll", "Google.Protobuf.dll"];

    /// <summary>A ReadyToRun image carries native code, announced by the managed native header of its CLI header.</summary>
    public static bool Is(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
