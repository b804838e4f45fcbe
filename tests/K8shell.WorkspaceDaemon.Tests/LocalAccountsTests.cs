using K8shell.WorkspaceDaemon.Workspace;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Creating the workspace user in an image that lacks it, on copies of passwd and group.</summary>
public sealed class LocalAccountsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-accounts-").FullName;

    private string Passwd => Path.Combine(_directory, "passwd");

    private string Group => Path.Combine(_directory, "group");

    public LocalAccountsTests()
    {
        File.WriteAllText(Passwd, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Group, "root:x:0:\nnogroup:x:65534:\n");
    }

    [Fact]
    public async Task A_missing_user_gets_a_group_an_account_and_a_home_it_owns()
    {
        var parent = Path.Combine(_directory, "home");
        var home = Path.Combine(parent, "dev");

        var created = LocalAccounts.Create("dev", 4242, 4343, home, "/bin/bash", Passwd, Group);

        Assert.Equal(new PasswdEntry("dev", 4242, 4343, home, "/bin/bash"), created);
        Assert.EndsWith($"dev:x:4242:4343:dev:{home}:/bin/bash\n", File.ReadAllText(Passwd));
        Assert.EndsWith("dev:x:4343:\n", File.ReadAllText(Group));
        Assert.Contains(created, PasswdEntry.ReadAll(Passwd));
        Assert.Equal("4242 700", await Tools.OwnerAsync(home, "%u %a")); // chown needs root, as the daemon in a pod is
        Assert.Equal("755", await Tools.OwnerAsync(parent, "%a")); // a parent it had to create lets the user through
    }

    [Fact]
    public void An_existing_group_is_reused()
    {
        LocalAccounts.Create("dev", 4242, 65534, Path.Combine(_directory, "dev"), "/bin/sh", Passwd, Group);

        Assert.Equal("root:x:0:\nnogroup:x:65534:\n", File.ReadAllText(Group));
    }

    [Fact]
    public void Files_whose_last_line_lacks_its_newline_get_the_account_on_a_line_of_its_own()
    {
        File.WriteAllText(Passwd, "root:x:0:0:root:/root:/bin/bash");
        File.WriteAllText(Group, "root:x:0:");

        var created = LocalAccounts.Create("dev", 4242, 4343, Path.Combine(_directory, "dev"), "/bin/sh", Passwd, Group);

        Assert.Equal([new PasswdEntry("root", 0, 0, "/root", "/bin/bash"), created], PasswdEntry.ReadAll(Passwd));
        Assert.Equal("root:x:0:\ndev:x:4343:\n", File.ReadAllText(Group));
    }

    [Theory]
    [InlineData("dev", 65534u, "belongs to \"nobody\"")]
    [InlineData("bad:name", 4242u, "not a valid account name")]
    [InlineData("", 4242u, "not a valid account name")]
    public void Conflicts_and_bad_names_are_refused_and_change_nothing(string name, uint uid, string message)
    {
        var before = File.ReadAllText(Passwd);

        var failure = Assert.Throws<InvalidOperationException>(() => LocalAccounts.Create(name, uid, uid, Path.Combine(_directory, "x"), "/bin/sh", Passwd, Group));

        Assert.Contains(message, failure.Message);
        Assert.Equal(before, File.ReadAllText(Passwd));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
