using K8shell.Testing;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// A USERAUTH_REQUEST with a huge user name, sent by paramiko after a real key exchange: refused with a reason,
/// logged once, and the name never reaches a log record.
/// </summary>
public sealed class OversizedUserNameTests(StackFixture stack)
{
    [Theory]
    [InlineData("127.0.0.22", 1024 * 1024, 2, "exceeds the 262144-byte limit")] // PROTOCOL_ERROR: the packet is too large to read
    [InlineData("127.0.0.23", 100 * 1024, 15, "user name longer than 1024 bytes")] // ILLEGAL_USER_NAME: the packet fits, the name does not
    public async Task A_huge_user_name_is_refused_with_a_reason_and_logged_once_without_it(string attacker, int length, int code, string reason)
    {
        var program = $"""
            import socket, paramiko
            s = socket.create_connection(("127.0.0.1", {stack.SshPort}), source_address=("{attacker}", 0))
            t = paramiko.Transport(s)
            t.start_client(timeout=20)
            t._parse_disconnect = lambda m: print("disconnect", m.get_int(), m.get_text(), flush=True)
            try:
                t.auth_none("u" * {length})
                print("accepted")
            except Exception as e:
                print("refused", type(e).__name__)
            """;

        var attack = Programs.RunAsync("/usr/bin/python3", ["-c", program], cancellationToken: TestContext.Current.CancellationToken);
        await WellBehavedClient.LogInAsync(new Gateway(stack), $"a {length}-byte user name");
        var (_, output, errors) = await attack.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(output.StartsWith($"disconnect {code} ", StringComparison.Ordinal) && output.Contains(reason, StringComparison.Ordinal)
            && output.Contains("refused", StringComparison.Ordinal), $"the client saw:\n{output}{errors}");
        var logs = await ProxyLogs.WaitForAsync(stack, attacker, reason);
        Assert.Single(logs, body => body.Contains("failed", StringComparison.Ordinal));
        Assert.All(logs, body => Assert.True(body.Length < 1024, $"a {body.Length}-character log record: {body[..Math.Min(body.Length, 200)]}..."));
    }
}
