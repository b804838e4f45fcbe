using System.Reflection.PortableExecutable;
using K8shell.Provisioner.Process;

namespace K8shell.Provisioner.Tests.Process;

/// <summary>The daemon the Process backend runs by default: the one this repository built, compiled ahead of time.</summary>
public sealed class BuiltDaemonTests
{
    [Fact]
    public void The_default_daemon_and_the_packages_it_loads_are_ReadyToRun_images()
    {
        var daemon = ProcessBackendOptions.BuiltDaemon;

        Assert.NotNull(daemon);
        Assert.True(File.Exists(daemon), $"{daemon} was not built");
        // What costs a new workspace's first login the most JIT: the daemon, gRPC's server and protobuf.
        foreach (var assembly in new[] { "k8shelld.dll", "Grpc.AspNetCore.Server.dll", "Google.Protobuf.dll" })
        {
            var path = Path.Combine(Path.GetDirectoryName(daemon)!, assembly);
            Assert.True(IsReadyToRun(path), $"{path} holds IL only: its methods would be compiled at the first login");
        }
    }

    /// <summary>A ReadyToRun image carries native code, announced by the managed native header of its CLI header.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
