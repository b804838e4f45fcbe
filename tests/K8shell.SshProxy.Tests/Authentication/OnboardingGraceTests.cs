using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using K8shell.Ssh;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.SshProxy.Authentication;
using K8shell.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8shell.SshProxy.Tests.Authentication;

/// <summary>
/// The login grace during device-flow onboarding (README.md, "Login grace and onboarding"): the proxy's login with the
/// real Identity and OpenSSH's ssh, whose askpass plays a person who takes a while in the browser before authorising.
/// </summary>
public sealed partial class OnboardingGraceTests(OnboardingIdentity identity) : IClassFixture<OnboardingIdentity>, IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private static readonly ProxyTelemetry Telemetry = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
    private static readonly TimeSpan LoginGrace = TimeSpan.FromSeconds(3);

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-askpass-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_person_who_authorises_after_the_login_grace_still_onboards_and_logs_in_with_their_key()
    {
        var (connection, error) = await OnboardAsync("slowpoke", onboardingGrace: TimeSpan.FromMinutes(1), authoriseAfterSeconds: 6);

        Assert.True(connection is not null, error?.Message);
        Assert.Equal("publickey", connection.User.Method);
        Assert.Equal("slowpoke", ((LoginResult)connection.User.Identity!).User.Username);
    }

    [Fact]
    public async Task The_grace_goes_no_further_than_OnboardingGraceTime_after_the_prompt()
    {
        var onboardingGrace = TimeSpan.FromSeconds(4);

        var (_, error) = await OnboardAsync("dawdler", onboardingGrace, authoriseAfterSeconds: 20);

        // What was allowed: the time until the prompt (within the login grace) plus the onboarding grace.
        var allowed = AllowedSeconds(error);
        Assert.InRange(allowed, onboardingGrace.TotalSeconds, (LoginGrace + onboardingGrace).TotalSeconds);
    }

    [Fact]
    public async Task The_grace_goes_no_further_than_the_codes_expiry()
    {
        identity.Provider.ExpiresInSeconds = 4;
        try
        {
            var (_, error) = await OnboardAsync("latecomer", onboardingGrace: TimeSpan.FromMinutes(1), authoriseAfterSeconds: 20);

            Assert.InRange(AllowedSeconds(error), 4, (LoginGrace + TimeSpan.FromSeconds(4)).TotalSeconds);
        }
        finally
        {
            identity.Provider.ExpiresInSeconds = 900;
        }
    }

    /// <summary>The proxy's login (LoginAttempt's server config) for one ssh connection as <paramref name="username"/>.</summary>
    private async Task<(SshServerConnection? Connection, SshProtocolException? Error)> OnboardAsync(
        string username, TimeSpan onboardingGrace, int authoriseAfterSeconds)
    {
        var options = new SshProxyOptions { LoginGraceTime = LoginGrace, OnboardingGraceTime = onboardingGrace };
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var ssh = Programs.Start("ssh",
        [
            "-F", "/dev/null", "-p", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture), "-i", identity.KeyFile,
            "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "PreferredAuthentications=keyboard-interactive,publickey", "-o", "NumberOfPasswordPrompts=1", $"{username}@127.0.0.1", "true",
        ], Askpass(username, authoriseAfterSeconds));
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        using var trace = new LoginTrace(Telemetry, default);
        var login = new LoginAttempt(identity.Client, options, (IPEndPoint)socket.RemoteEndPoint!, trace, NullLogger.Instance);
        try
        {
            return (await SshServer.HandshakeAsync(stream, login.ServerConfig([HostKey]), Cancellation), null);
        }
        catch (SshProtocolException error)
        {
            return (null, error);
        }
    }

    /// <summary>The person: reads the address and code, spends <paramref name="seconds"/> in the browser, authorises, presses Enter.</summary>
    private Dictionary<string, string> Askpass(string login, int seconds)
    {
        var script = Path.Combine(_directory, $"askpass-{login}.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            uri=$(printf '%s' "$1" | grep -o 'http://[^ ]*/login/device' | head -n 1)
            code=$(printf '%s' "$1" | grep -o '[0-9A-F]\{4\}-[0-9A-F]\{4\}' | head -n 1)
            sleep {{seconds}}
            curl -fsS --max-time 20 -d "user_code=$code" -d 'login={{login}}' "$uri" >/dev/null 2>&1
            echo
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new() { ["SSH_ASKPASS"] = script, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
    }

    private static double AllowedSeconds(SshProtocolException? error)
    {
        var match = GraceExceeded().Match(error?.Message ?? "");
        Assert.True(match.Success, error?.Message ?? "the login did not fail");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^login grace time of ([0-9]+) s exceeded$")]
    private static partial Regex GraceExceeded();
}
