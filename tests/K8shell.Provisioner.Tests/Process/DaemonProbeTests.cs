using K8shell.Provisioner.Process;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace K8shell.Provisioner.Tests.Process;

/// <summary>The Provisioner's readiness poll of a daemon that is still starting.</summary>
public sealed class DaemonProbeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_daemon_that_starts_listening_after_a_refused_poll_is_reached_by_a_poll_soon_after()
    {
        var port = FreePort.Next();
        using var channel = DaemonProbe.ChannelTo(port);
        Assert.Null(await DaemonProbe.IsServingAsync(channel, Cancellation)); // refused: the channel backs off before it connects again

        await using var daemon = await StartHealthServiceAsync(port);
        await Task.Delay(DaemonProbe.PollInterval * 6, Cancellation);

        // An answer, whatever the status. With the channel's default backoff (1 s ± 20 %) this poll would fail without
        // trying (null): a daemon's readiness seen up to a second late.
        Assert.NotNull(await DaemonProbe.IsServingAsync(channel, Cancellation));
    }

    /// <summary>What the probe asks of k8shelld: the standard gRPC health service, over HTTP/2 without TLS.</summary>
    private static async Task<WebApplication> StartHealthServiceAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddHealthChecks();
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync(Cancellation);
        return app;
    }
}
