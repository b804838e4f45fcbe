using K8shell.WorkspaceDaemon.Workspace;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>The groups a workspace login gets, read from a group file as initgroups(3) reads "files".</summary>
public sealed class GroupFileTests : IDisposable
{
    private readonly string _group = Path.Combine(Directory.CreateTempSubdirectory("k8shell-groups-").FullName, "group");

    [Fact]
    public void The_primary_group_comes_first_then_every_group_listing_the_account_once()
    {
        File.WriteAllText(_group, "root:x:0:\ndev:x:1000:\nsudo:x:27:admin,dev\ndocker:x:999: dev \ndevs:x:1001:developer\ndev-again:x:27:dev\nbroken:x:notanumber:dev\nshort:x\n");

        Assert.Equal([1000u, 27u, 999u], GroupFile.GroupsOf("dev", 1000, _group));
    }

    [Fact]
    public void Without_a_group_file_the_primary_group_alone()
    {
        Assert.Equal([4242u], GroupFile.GroupsOf("dev", 4242, _group));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_group)!, recursive: true);
}
