using System.Security.Cryptography;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Every call needs the owner's token for audience k8shelld, signed by the trusted key, in date.</summary>
public sealed class CallerAuthenticationTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_owners_token_gets_the_handshake_with_the_workspaces_identity()
    {
        var response = await daemon.System().HandshakeAsync(new HandshakeRequest
        {
            ClientVersion = "K8shell.SshProxy/test", SessionId = "proxy-1-aa", Username = DaemonFixture.Owner, ClientIp = "192.0.2.7",
        }, cancellationToken: Cancellation);

        Assert.True(response.Accepted);
        Assert.StartsWith("k8shelld/", response.ServerVersion);
        Assert.Equal(DaemonFixture.Workspace, response.Workspace);
        Assert.Equal(Environment.UserName, response.WorkspaceUser);
        Assert.Equal(daemon.Home, response.Home);
        Assert.Equal("/bin/bash", response.Shell);
        Assert.Equal(Environment.MachineName, response.Hostname);
        Assert.Contains(File.ReadLines("/etc/os-release").First(line => line.StartsWith("PRETTY_NAME=")).Split('"')[1], response.Os);
    }

    public static TheoryData<string, string> RefusedTokens => new()
    {
        { "no token", "" },
        { "not a JWT", "garbage" },
        { "another audience", "audience" },
        { "another issuer", "issuer" },
        { "expired", "expired" },
        { "signed by an unknown key", "key" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Calls_without_a_valid_token_are_unauthenticated(string why, string variant)
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string? token = variant switch
        {
            "" => null,
            "garbage" => "garbage",
            "audience" => daemon.Token(audience: "authz"),
            "issuer" => daemon.Token(issuer: "https://elsewhere.test"),
            "expired" => daemon.Token(lifetime: TimeSpan.FromMinutes(-10)),
            _ => daemon.Token(signedWith: otherKey),
        };

        var failure = await Assert.ThrowsAsync<RpcException>(() => daemon.System(token).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation).ResponseAsync);

        Assert.True(failure.StatusCode == StatusCode.Unauthenticated, $"{why}: {failure.Status}");
    }

    [Fact]
    public async Task Streaming_calls_need_a_token_too()
    {
        using var call = daemon.Processes(token: null).Exec(cancellationToken: Cancellation);

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancellation));

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
    }

    [Fact]
    public async Task Another_users_token_is_refused()
    {
        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            daemon.System(daemon.Token(subject: "mallory")).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
    }

    [Theory]
    [InlineData("no key source", null, "set exactly one of Auth:JwksUrl")]
    [InlineData("a missing key file", "/nonexistent/signing.pem", "Auth:PublicKeyFile: /nonexistent/signing.pem does not exist")]
    [InlineData("a file that is no key", "/etc/hostname", "holds no EC or RSA public key")]
    public async Task A_daemon_without_a_usable_key_refuses_to_start_and_names_the_setting(string why, string? keyFile, string message)
    {
        await using var refused = K8shell.Testing.ServiceProcess.Launch("K8shell.WorkspaceDaemon", "k8shelld", servesGrpc: true, new Dictionary<string, string?>
        {
            ["Workspace__Name"] = "ws-refused",
            ["Workspace__Owner"] = DaemonFixture.Owner,
            ["Workspace__User"] = Environment.UserName,
            ["Auth__PublicKeyFile"] = keyFile,
        }, out _, out _);

        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(refused.Output.Contains(message), $"{why}: {refused.Output}");
    }
}
