using System.Net;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using K8shell.ServiceDefaults;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.SessionRecords;
using K8shell.SshProxy.Tests.Recording;
using K8shell.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K8shell.SshProxy.Tests.SessionRecords;

/// <summary>
/// A connection's session record, kept by the proxy's <see cref="SessionReporter"/> as <c>AddSessionRecords</c>
/// registers it, in the real Sessions: made at once, refreshed with the counters, ended on close, and made and ended
/// late when Sessions was down meanwhile, without the connection waiting.
/// </summary>
public sealed class SessionReporterTests(SessionsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_record_is_made_at_once_refreshed_with_the_counters_and_ended_with_the_final_ones()
    {
        using var host = await StartProxyAsync(fixture.Sessions.GrpcEndpoint!);
        var records = fixture.Records();
        var start = Start(SessionsFixture.NewSessionId());
        var traffic = new ConnectionTraffic();

        var reporter = host.Services.GetRequiredService<SessionReporting>().Start(start, traffic);
        var made = await EventuallyFindAsync(records, start.SessionId, _ => true);
        traffic.AddIn(1200);
        traffic.AddOut(345_678);
        traffic.AddOperation(ConnectionTraffic.Shell);
        traffic.AddOperation(ConnectionTraffic.Pty);
        var refreshed = await EventuallyFindAsync(records, start.SessionId, session => session.BytesOut == 345_678);
        traffic.AddOut(2);
        traffic.AddOperation(ConnectionTraffic.Exec);
        await reporter.DisposeAsync();
        var ended = await EventuallyFindAsync(records, start.SessionId, session => session.EndTime is not null);

        Assert.Equal(("alice", "alice-59936c3", "dev", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "203.0.113.7", 50022u, "proxy-a", "0.9.1"),
            (made.Username, made.Workspace, made.Blueprint, made.Client, made.ClientIp, made.ClientPort, made.ProxyId, made.K8ShelldVer));
        Assert.Equal(start.StartTime.ToUnixTimeSeconds(), made.StartTime.Seconds);
        Assert.Null(made.EndTime);
        Assert.Equal((1200ul, 345_678ul), (refreshed.BytesIn, refreshed.BytesOut));
        Assert.Equal(["pt", "sh"], refreshed.Operations);
        Assert.Equal((1200ul, 345_680ul), (ended.BytesIn, ended.BytesOut));
        Assert.Equal(["ex", "pt", "sh"], ended.Operations);
    }

    [Fact]
    public async Task With_Sessions_down_the_connection_never_waits_and_the_record_is_made_and_ended_once_it_is_back()
    {
        await using var relay = new SessionsRelay(null);
        using var host = await StartProxyAsync(relay.Address);
        var records = fixture.Records();
        var start = Start(SessionsFixture.NewSessionId());
        var traffic = new ConnectionTraffic();

        var reporter = host.Services.GetRequiredService<SessionReporting>().Start(start, traffic);
        traffic.AddIn(7);
        await reporter.DisposeAsync();
        var unknownMeanwhile = await Assert.ThrowsAsync<RpcException>(async () =>
            await records.GetSessionAsync(new GetSessionRequest { SessionId = start.SessionId }, cancellationToken: Cancel));
        relay.PointAt(fixture.Sessions.GrpcEndpoint);
        var ended = await EventuallyFindAsync(records, start.SessionId, session => session.EndTime is not null);

        Assert.Equal(StatusCode.NotFound, unknownMeanwhile.StatusCode);
        Assert.Equal((7ul, "alice"), (ended.BytesIn, ended.Username));
    }

    [Theory]
    [InlineData("SshProxy:Sessions:UpdateInterval", "00:00:00", "SshProxy:Sessions:UpdateInterval must be positive")]
    [InlineData("SshProxy:Recording:BufferBytes", "1000", "SshProxy:Recording:BufferBytes must be from 65536")]
    public async Task A_bad_setting_stops_the_proxy_with_a_message_naming_its_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = await StartProxyAsync(fixture.Sessions.GrpcEndpoint!, new Dictionary<string, string?> { [key] = value });
        });

        Assert.Contains(message, failure.Message);
    }

    private async Task<IHost> StartProxyAsync(Uri sessions, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:sessions:grpc:0"] = sessions.ToString(),
            ["Services:sessions:Token"] = fixture.CallerToken,
            ["SshProxy:Sessions:UpdateInterval"] = "00:00:00.200",
            ["SshProxy:Sessions:EndAttempts"] = "20",
            ["SshProxy:Sessions:EndRetryDelay"] = "00:00:00.100",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddServiceDefaults();
        builder.AddSessionRecords();
        var host = builder.Build();
        try
        {
            await host.StartAsync(Cancel);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static SessionStart Start(string sessionId) => new(sessionId, "alice", "alice-59936c3", "dev", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
        new IPEndPoint(IPAddress.Parse("203.0.113.7"), 50022), "proxy-a", "0.9.1", DateTimeOffset.UtcNow.AddSeconds(-3));

    /// <summary>The record once it satisfies <paramref name="condition"/>; fails the test if it never does.</summary>
    private static async Task<Session> EventuallyFindAsync(SessionService.SessionServiceClient records, string sessionId, Func<Session, bool> condition)
    {
        Session? found = null;
        var held = await Eventually.WaitAsync(async () =>
        {
            try
            {
                found = await records.GetSessionAsync(new GetSessionRequest { SessionId = sessionId }, cancellationToken: Cancel);
                return condition(found);
            }
            catch (RpcException failure) when (failure.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), Cancel);
        Assert.True(held, $"session {sessionId} never reached the expected state; last seen: {found}");
        return found!;
    }
}
