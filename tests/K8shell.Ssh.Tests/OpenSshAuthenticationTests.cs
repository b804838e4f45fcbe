using System.Net.Sockets;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

/// <summary>User authentication (RFC 4252, 4256) against the real OpenSSH client.</summary>
public sealed class OpenSshAuthenticationTests : IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-auth-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(30));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("rsa", "3072")]
    [InlineData("ecdsa", "256")]
    [InlineData("ecdsa", "384")]
    [InlineData("ecdsa", "521")]
    public async Task A_signed_public_key_logs_in_and_one_host_call_serves_query_and_signature(string type, string? bits)
    {
        var (keyFile, authorizedKey) = await UserKeyAsync(type, bits);
        var calls = new List<string>();
        var config = Config(publicKey: (request, _) =>
        {
            lock (calls)
            {
                calls.Add(request.Key.AuthorizedKey);
            }
            return ValueTask.FromResult(request.Key.AuthorizedKey == authorizedKey && request.User == "alice"
                ? AuthDecision.Accept(identity: "alice's record")
                : AuthDecision.Reject());
        });

        var (connection, log) = await LoginAsync(config, "alice", null, $"IdentityFile={keyFile}", "PreferredAuthentications=publickey");

        Assert.NotNull(connection);
        Assert.Equal("alice", connection.User.User);
        Assert.Equal("publickey", connection.User.Method);
        Assert.Equal("alice's record", connection.User.Identity);
        Assert.Equal(authorizedKey, connection.User.PublicKey!.AuthorizedKey);
        Assert.Equal([authorizedKey], calls);
        Assert.Contains("Authenticated to 127.0.0.1", log);
    }

    [Fact]
    public async Task A_key_the_host_does_not_know_is_denied()
    {
        var (keyFile, _) = await UserKeyAsync("ed25519", null);
        var config = Config(publicKey: (_, _) => ValueTask.FromResult(AuthDecision.Reject()));

        var (connection, log) = await LoginAsync(config, "mallory", null, $"IdentityFile={keyFile}", "PreferredAuthentications=publickey");

        Assert.Null(connection);
        Assert.Contains("Permission denied (publickey)", log);
    }

    [Fact]
    public async Task A_password_reaches_the_host_and_logs_in()
    {
        string? received = null;
        var config = Config(password: (request, _) =>
        {
            received = request.Password;
            return ValueTask.FromResult(request.Password == "correct horse" ? AuthDecision.Accept() : AuthDecision.Reject());
        });

        var (connection, _) = await LoginAsync(config, "bob", Askpass("correct horse"), "PreferredAuthentications=password", "BatchMode=no");

        Assert.Equal("correct horse", received);
        Assert.Equal("password", connection!.User.Method);
    }

    [Fact]
    public async Task Keyboard_interactive_runs_several_rounds_of_host_prompts()
    {
        var config = Config(keyboardInteractive: async (request, cancellation) =>
        {
            var first = await request.AskAsync("Onboarding", "Open the link, then answer", [("Code: ", true)], cancellation);
            var second = await request.AskAsync("", "", [("PIN: ", false)], cancellation);
            return first[0] == "answer" && second[0] == "answer" ? AuthDecision.Accept() : AuthDecision.Reject();
        });

        var (connection, log) = await LoginAsync(config, "carol", Askpass("answer"), "PreferredAuthentications=keyboard-interactive", "BatchMode=no");

        Assert.Equal("keyboard-interactive", connection!.User.Method);
        Assert.Contains("Authenticated to 127.0.0.1", log);
    }

    [Fact]
    public async Task Partial_success_moves_the_client_to_the_next_method_in_the_same_connection()
    {
        var (keyFile, _) = await UserKeyAsync("ed25519", null);
        var config = Config(
            publicKey: (_, _) => ValueTask.FromResult(AuthDecision.Partial([SshServerConfig.KeyboardInteractiveMethod], identity: "from the key")),
            keyboardInteractive: async (request, cancellation) =>
                (await request.AskAsync("", "", [("Token: ", true)], cancellation))[0] == "answer" ? AuthDecision.Accept() : AuthDecision.Reject(),
            methods: [SshServerConfig.PublicKeyMethod]);

        var (connection, log) = await LoginAsync(config, "dave", Askpass("answer"),
            $"IdentityFile={keyFile}", "PreferredAuthentications=publickey,keyboard-interactive", "BatchMode=no");

        Assert.Equal("keyboard-interactive", connection!.User.Method);
        Assert.Equal("from the key", connection.User.Identity);
        Assert.Contains("partial success", log);
    }

    [Fact]
    public async Task Banners_reach_the_person_at_the_terminal()
    {
        var config = Config(publicKey: (_, _) => ValueTask.FromResult(AuthDecision.Reject("invalid user string: repo is required in param-list form")));
        config = new SshServerConfig { HostKeys = config.HostKeys, PublicKeyCallback = config.PublicKeyCallback, Banner = user => $"Welcome, {user}." };
        var (keyFile, _) = await UserKeyAsync("ed25519", null);

        var (_, log) = await LoginAsync(config, "erin", null, $"IdentityFile={keyFile}", "PreferredAuthentications=publickey");

        Assert.Contains("Welcome, erin.", log);
        Assert.Contains("invalid user string: repo is required in param-list form", log);
    }

    private static SshServerConfig Config(
        Func<PublicKeyAuthRequest, CancellationToken, ValueTask<AuthDecision>>? publicKey = null,
        Func<PasswordAuthRequest, CancellationToken, ValueTask<AuthDecision>>? password = null,
        Func<KeyboardInteractiveRequest, CancellationToken, ValueTask<AuthDecision>>? keyboardInteractive = null,
        IReadOnlyList<string>? methods = null) => new()
    {
        HostKeys = [HostKey],
        PublicKeyCallback = publicKey,
        PasswordCallback = password,
        KeyboardInteractiveCallback = keyboardInteractive,
        AuthMethods = methods is null ? null : (_, _) => ValueTask.FromResult(methods),
    };

    /// <summary>Serves one connection; returns it (null when the client gave up) and the client's log.</summary>
    private async Task<(SshServerConnection? Connection, string Log)> LoginAsync(
        SshServerConfig config, string user, IReadOnlyDictionary<string, string>? environment, params string[] options)
    {
        await using var ssh = OpenSshClient.Start(OpenSshKeyFile.PublicKeyLine(HostKey), user, environment, options);
        SshServerConnection? connection = null;
        using (var socket = await ssh.AcceptAsync(Cancellation))
        await using (var stream = new NetworkStream(socket))
        {
            try
            {
                connection = await SshServer.HandshakeAsync(stream, config, Cancellation);
                // Past authentication the client asks for its session channel.
                using var open = await connection.Transport.ReceiveAsync(Cancellation);
                var message = new SshReader(open.Payload);
                Assert.Equal((byte)SshMessageNumber.ChannelOpen, message.ReadByte());
                Assert.Equal("session", message.ReadAscii());
            }
            catch (Exception gaveUp) when (gaveUp is SshDisconnectedException or SshProtocolException { Reason: SshDisconnectReason.ConnectionLost })
            {
                // The client gave up (OpenSSH just closes after "Permission denied"): what it printed says why.
            }
        }
        return (connection, await ssh.LogAsync(Cancellation));
    }

    private Task<(string KeyFile, string AuthorizedKey)> UserKeyAsync(string type, string? bits) =>
        UserKeys.GenerateAsync(_directory, type, bits, Cancellation);

    /// <summary>Makes ssh answer every password or keyboard-interactive prompt with <paramref name="answer"/>.</summary>
    private Dictionary<string, string> Askpass(string answer)
    {
        var script = Path.Combine(_directory, "askpass.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho '{answer}'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new() { ["SSH_ASKPASS"] = script, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
    }
}
