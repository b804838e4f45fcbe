using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>With a certificate configured (Kestrel's endpoint settings) the gRPC endpoint speaks TLS only.</summary>
public sealed class TlsTests(DaemonFixture daemon) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shelld-tls-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_configured_certificate_serves_grpc_over_tls_to_callers_that_trust_it()
    {
        var (certificate, key) = (Path.Combine(_directory, "tls.crt"), Path.Combine(_directory, "tls.key"));
        await Programs.RunToSuccessAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=k8shelld", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate], cancellationToken: Cancellation);
        var port = FreePort.Next();
        await using var tls = await daemon.StartDaemonAsync(settings: new()
        {
            // An endpoint of its own: the fixture's command line pins the plaintext one's address.
            ["Kestrel__Endpoints__tls__Url"] = $"https://127.0.0.1:{port}",
            ["Kestrel__Endpoints__tls__Protocols"] = "Http2",
            ["Kestrel__Endpoints__tls__Certificate__Path"] = certificate,
            ["Kestrel__Endpoints__tls__Certificate__KeyPath"] = key,
        });
        using var trusted = X509CertificateLoader.LoadCertificateFromFile(certificate);

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().SequenceEqual(trusted.RawData);
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            Credentials = ChannelCredentials.Create(new SslCredentials(), CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", $"Bearer {daemon.Token()}");
                return Task.CompletedTask;
            })),
        });
        var handshake = await new SystemService.SystemServiceClient(channel).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation);
        Assert.True(handshake.Accepted);

        using var plaintext = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        await Assert.ThrowsAsync<RpcException>(() => new SystemService.SystemServiceClient(plaintext).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation).ResponseAsync);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
