using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>Scripted clients (Debian's paramiko and asyncssh, under /usr/bin/python3) running commands through the gateway.</summary>
public sealed class OtherClientTests(StackFixture stack)
{
    [Fact]
    public async Task Paramiko_runs_a_command_and_reads_its_exit_status()
    {
        var script = $"""
            import paramiko
            c = paramiko.SSHClient(); c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            c.connect("127.0.0.1", port={stack.SshPort}, username="{stack.User}", key_filename="{stack.KeyFile}", allow_agent=False, look_for_keys=False)
            _, out, err = c.exec_command("echo from-paramiko; exit 4")
            print(out.read().decode().strip(), out.channel.recv_exit_status())
            """;

        var output = await Programs.RunToSuccessAsync("/usr/bin/python3", ["-c", script], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("from-paramiko 4\n", output);
    }

    [Fact]
    public async Task Asyncssh_runs_a_command_and_reads_its_exit_status()
    {
        var script = $$"""
            import asyncio, asyncssh
            async def main():
                async with asyncssh.connect("127.0.0.1", port={{stack.SshPort}}, username="{{stack.User}}", client_keys=["{{stack.KeyFile}}"], known_hosts=None, agent_path=None) as c:
                    r = await c.run("echo from-asyncssh; exit 5")
                    print(r.stdout.strip(), r.exit_status)
            asyncio.run(main())
            """;

        var output = await Programs.RunToSuccessAsync("/usr/bin/python3", ["-c", script], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("from-asyncssh 5\n", output);
    }
}
