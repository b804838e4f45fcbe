using System.Net.Sockets;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>
/// A keyboard-interactive host may give a person more than the login grace time (they answer in a browser first),
/// and only as much as it asks for. The real OpenSSH client answers through an askpass program that takes its time.
/// </summary>
public sealed class LoginGraceExtensionTests : IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-grace-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(60));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_extended_grace_outlasts_a_person_who_answers_after_the_login_grace_time()
    {
        var result = await LoginAsync(extendBy: TimeSpan.FromSeconds(30), answerAfterSeconds: 3);

        Assert.Equal("keyboard-interactive", result.Connection?.User.Method);
    }

    [Fact]
    public async Task Without_an_extension_the_same_answer_comes_too_late()
    {
        var result = await LoginAsync(extendBy: null, answerAfterSeconds: 3);

        Assert.Equal($"login grace time of {Grace.TotalSeconds:F0} s exceeded", result.Error?.Message);
    }

    [Fact]
    public async Task An_extension_shorter_than_what_is_left_changes_nothing()
    {
        // 20 s are left; asking for 10 ms must not cut off an answer that comes a moment later.
        var result = await LoginAsync(extendBy: TimeSpan.FromMilliseconds(10), answerAfterSeconds: 0.3, grace: TimeSpan.FromSeconds(20));

        Assert.Equal("keyboard-interactive", result.Connection?.User.Method);
    }

    [Fact]
    public async Task The_extension_is_a_bound_too()
    {
        var result = await LoginAsync(extendBy: TimeSpan.FromSeconds(2), answerAfterSeconds: 15);

        Assert.Matches("^login grace time of [23] s exceeded$", result.Error?.Message);
    }

    private async Task<(SshServerConnection? Connection, SshProtocolException? Error)> LoginAsync(
        TimeSpan? extendBy, double answerAfterSeconds, TimeSpan? grace = null)
    {
        var config = new SshServerConfig
        {
            HostKeys = [HostKey],
            LoginGraceTime = grace ?? Grace,
            KeyboardInteractiveCallback = async (request, cancellation) =>
            {
                if (extendBy is { } time)
                {
                    request.ExtendLoginGrace(time);
                }
                var answers = await request.AskAsync("", "", [("Authorise the device, then press Enter: ", true)], cancellation);
                return answers[0] == "done" ? AuthDecision.Accept() : AuthDecision.Reject();
            },
        };
        await using var ssh = OpenSshClient.Start(OpenSshKeyFile.PublicKeyLine(HostKey), "newcomer", SlowAskpass(answerAfterSeconds),
            "PreferredAuthentications=keyboard-interactive", "BatchMode=no");
        using var socket = await ssh.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        try
        {
            return (await SshServer.HandshakeAsync(stream, config, Cancellation), null);
        }
        catch (SshProtocolException error)
        {
            return (null, error);
        }
    }

    /// <summary>An askpass program that answers "done" after <paramref name="seconds"/>, as a person busy in a browser does.</summary>
    private Dictionary<string, string> SlowAskpass(double seconds)
    {
        var script = Path.Combine(_directory, "askpass.sh");
        File.WriteAllText(script, $"#!/bin/sh\nsleep {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\necho done\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new() { ["SSH_ASKPASS"] = script, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
    }
}
