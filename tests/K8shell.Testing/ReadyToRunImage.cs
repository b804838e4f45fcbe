using System.Reflection.PortableExecutable;

namespace K8shell.Testing;

/// <summary>Whether an assembly was compiled ahead of time (ReadyToRun), so its methods are not JIT-compiled at their first call.</summary>
public static class ReadyToRunImage
{
    /// <summary>
    /// A service's entry assembly and the packages beside it whose JIT its first calls would wait for most if they held
    /// IL only: gRPC's server and protobuf.
    /// </summary>
    public static IEnumerable<string> ServiceAndHeaviestPackages(string entryAssembly) =>
        new[] { "Grpc.AspNetCore.Server.dll", "Google.Protobuf.dll" }.Select(package => Path.Combine(Path.GetDirectoryName(entryAssembly)!, package)).Prepend(entryAssembly);

    /// <summary>A ReadyToRun image carries native code, announced by the managed native header of its CLI header.</summary>
    public static bool Is(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
