using Grpc.Core;
using K8shell.Contracts.Identity.V1;

namespace K8shell.Identity.Tests;

/// <summary>Changing the user file: a good change takes effect, a bad one keeps the last good users and says why.</summary>
public sealed class UserFileReloadTests(IdentityFixture identity)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_broken_file_at_start_stops_the_service_naming_file_line_and_field()
    {
        var broken = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, "broken.yaml");
        await File.WriteAllTextAsync(broken, "users:\n  - username: dave\n    uid: 1004\n    gid: 1004\n    authKeys: [ssh-ed25519 AAAA]\n", Cancellation);

        var output = await identity.RefusedStartAsync(new() { ["Identity__UserFiles__0"] = broken });

        Assert.Contains($"{broken}:5: authKeys: ssh-ed25519 key: the key data is not a ssh-ed25519 key", output);
    }

    [Fact]
    public async Task Edits_are_picked_up_and_a_bad_edit_keeps_the_previous_users()
    {
        // A service of its own: this test rewrites the file under it.
        var file = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, "reload", "users.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Copy(Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, "bob.keys"), Path.Combine(Path.GetDirectoryName(file)!, "bob.keys"));
        await File.WriteAllTextAsync(file, identity.UsersYaml(), Cancellation);
        await using var service = await identity.StartIdentityAsync(file, Path.Combine(Path.GetDirectoryName(file)!, "data"));
        using var channel = identity.ChannelTo(service);
        var client = new IdentityService.IdentityServiceClient(channel);

        await File.WriteAllTextAsync(file, identity.UsersYaml("  - username: erin\n    uid: 1005\n    gid: 1005\n"), Cancellation);
        await EventuallyAsync(async () => (await client.FindUserAsync(new FindUserRequest { Username = "erin" }, cancellationToken: Cancellation)).Uid == 1005);

        await File.WriteAllTextAsync(file, "users:\n  - username: frank\n    uid: zero\n", Cancellation);
        await service.Process.WaitForLineAsync(line => line.Contains("not reloaded"), TimeSpan.FromSeconds(20), Cancellation);

        Assert.Equal(1005u, (await client.FindUserAsync(new FindUserRequest { Username = "erin" }, cancellationToken: Cancellation)).Uid);
        Assert.Contains($"{file}:3: uid: required, a number of at least 1", service.Process.Output);
    }

    [Fact]
    public async Task A_name_defined_twice_keeps_the_first_definition_and_the_log_says_so()
    {
        var directory = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, "twice");
        Directory.CreateDirectory(directory);
        var second = Path.Combine(directory, "more-users.yaml");
        await File.WriteAllTextAsync(second, "users:\n  - username: alice\n    uid: 2001\n    gid: 2001\n", Cancellation);
        await using var service = await TestIdentity.StartAsync(identity, identity.UsersFile, Path.Combine(directory, "data"),
            new Dictionary<string, string?> { ["Identity__UserFiles__1"] = second });

        Assert.Equal(1001u, (await service.Client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation)).Uid);
        Assert.Contains($"{second}: user alice is defined earlier already; the first definition is used", service.Process.Process.Output);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (RpcException notYet) when (notYet.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "the change was not picked up within 20 s");
            await Task.Delay(100, Cancellation);
        }
    }
}
