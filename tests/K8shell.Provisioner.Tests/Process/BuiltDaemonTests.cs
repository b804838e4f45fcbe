using K8shell.Provisioner.Process;
using K8shell.Testing;

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
        foreach (var path in ReadyToRunImage.ServiceAndHeaviestPackages(daemon))
        {
            Assert.True(ReadyToRunImage.Is(path), $"{path} holds IL only: its methods would be compiled at a new workspace's first login");
        }
    }
}
