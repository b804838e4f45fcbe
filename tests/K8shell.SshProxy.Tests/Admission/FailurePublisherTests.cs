using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults.Nats;
using K8shell.SshProxy.Admission.Failures;
using K8shell.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>Failed-login events as K8shell.Shield receives them from a real nats-server, including while it is away.</summary>
public sealed class FailurePublisherTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset At = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private readonly string _subject = $"ssh.failures.test{Guid.NewGuid():N}";
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private RestartableNatsServer _nats = null!;
    private NatsConnection? _proxyConnection;
    private NatsConnection? _shieldConnection;
    private FailurePublisher? _publisher;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _nats = await RestartableNatsServer.CreateAsync(Cancellation);

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.StopAsync(CancellationToken.None);
            _publisher.Dispose();
        }
        await _nats.DisposeAsync();
        await _metrics.DisposeAsync();
    }

    private async Task<FailurePublisher> StartPublisherAsync(bool publicIpOnly = true, int bufferSize = 100, params string[] whitelist)
    {
        _proxyConnection = _nats.Connect();
        var options = new FailureOptions
        {
            Subject = _subject,
            PublicIpOnly = publicIpOnly,
            Whitelist = [.. whitelist],
            BufferSize = bufferSize,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        };
        _publisher = new FailurePublisher(_proxyConnection, Options.Create(options), _metrics.GetRequiredService<IMeterFactory>(), NullLogger<FailurePublisher>.Instance);
        await _publisher.StartAsync(Cancellation);
        return _publisher;
    }

    private NatsConnection Shield() => _shieldConnection ??= _nats.Connect();

    /// <summary>
    /// Shield's subscription, known to the server before the test publishes: SUB and PUB come on different
    /// connections, and the ping's answer proves the server has read the SUB.
    /// </summary>
    private async Task<INatsSub<byte[]>> SubscribeAsync()
    {
        var subscription = await Shield().SubscribeCoreAsync<byte[]>(_subject, cancellationToken: Cancellation);
        await Shield().PingAsync(Cancellation);
        return subscription;
    }

    private static FailureEvent Failure(string address, string username = "alice", int port = 40022) =>
        FailureEvent.For(new IPEndPoint(IPAddress.Parse(address), port), username, ["no matching public key", "handshake failed: connection closed"], "proxy-1", At);

    /// <summary>A stream that keeps what the proxy publishes across a NATS restart, read in order afterwards.</summary>
    private async Task CaptureInStreamAsync() =>
        await Shield().CreateJetStreamContext().CreateStreamAsync(new StreamConfig("FAILURES_" + _subject[^32..], [_subject]) { Storage = StreamConfigStorage.File }, Cancellation);

    private async Task<List<JsonElement>> CapturedAsync(int count)
    {
        var jetStream = Shield().CreateJetStreamContext();
        var consumer = await jetStream.CreateOrderedConsumerAsync("FAILURES_" + _subject[^32..], cancellationToken: Cancellation);
        var events = new List<JsonElement>();
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        enough.CancelAfter(Patience);
        await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: enough.Token))
        {
            events.Add(JsonDocument.Parse(message.Data).RootElement.Clone());
            if (events.Count == count)
            {
                break;
            }
        }
        return events;
    }

    private static async Task<JsonElement> NextAsync(INatsSub<byte[]> subscription)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        patience.CancelAfter(Patience);
        var message = await subscription.Msgs.ReadAsync(patience.Token);
        return JsonDocument.Parse(message.Data).RootElement.Clone();
    }

    [Fact]
    public async Task An_event_reaches_a_subscriber_with_every_field_Shield_reads()
    {
        await using var subscription = await SubscribeAsync();
        var publisher = await StartPublisherAsync();

        publisher.Publish(Failure("::ffff:203.0.113.9", "bob~dev", 51515));

        var json = await NextAsync(subscription);
        Assert.Equal(
            ["client_ip", "client_port", "username", "timestamp", "failure_info", "proxy_id"],
            json.EnumerateObject().Select(property => property.Name));
        Assert.Equal("203.0.113.9", json.GetProperty("client_ip").GetString());
        Assert.Equal(51515, json.GetProperty("client_port").GetInt32());
        Assert.Equal("bob~dev", json.GetProperty("username").GetString());
        Assert.Equal("2026-11-24T08:00:00Z", json.GetProperty("timestamp").GetString());
        Assert.Equal(["no matching public key", "handshake failed: connection closed"], json.GetProperty("failure_info").EnumerateArray().Select(item => item.GetString()));
        Assert.Equal("proxy-1", json.GetProperty("proxy_id").GetString());
    }

    [Fact]
    public async Task Private_special_and_whitelisted_addresses_are_never_reported()
    {
        await using var subscription = await SubscribeAsync();
        var publisher = await StartPublisherAsync(publicIpOnly: true, whitelist: ["198.51.100.0/24", "2001:db8:bad::/48"]);
        string[] notReported =
        [
            "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "127.0.0.1", "169.254.1.1", "224.0.0.1", "0.0.0.0",
            "::1", "::", "fd00::1", "fc00::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
            "198.51.100.7", "::ffff:198.51.100.8", "2001:db8:bad::1",
        ];

        foreach (var address in notReported)
        {
            publisher.Publish(Failure(address));
        }
        publisher.Publish(Failure("172.32.0.1", "first-public"));

        // Events go out in order: had any of the others been queued, it would have arrived first.
        var json = await NextAsync(subscription);
        Assert.Equal("172.32.0.1", json.GetProperty("client_ip").GetString());
        Assert.Equal("first-public", json.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Without_PublicIpOnly_private_addresses_are_reported_but_the_whitelist_still_holds()
    {
        await using var subscription = await SubscribeAsync();
        var publisher = await StartPublisherAsync(publicIpOnly: false, whitelist: ["127.0.0.0/8", "192.0.2.77"]);

        publisher.Publish(Failure("127.0.0.1", "whitelisted"));
        publisher.Publish(Failure("192.0.2.77", "whitelisted-single-address"));
        publisher.Publish(Failure("10.1.2.3", "dev-stack"));

        var json = await NextAsync(subscription);
        Assert.Equal("10.1.2.3", json.GetProperty("client_ip").GetString());
    }

    [Fact]
    public async Task While_NATS_is_down_events_wait_and_arrive_in_order_when_it_is_back()
    {
        await CaptureInStreamAsync();
        var publisher = await StartPublisherAsync();
        publisher.Publish(Failure("203.0.113.1", "before"));
        Assert.Equal("before", (await CapturedAsync(1))[0].GetProperty("username").GetString());

        await _nats.StopAsync();
        Assert.True(await Eventually.WaitAsync(() => _proxyConnection!.ConnectionState != NatsConnectionState.Open, Patience, Cancellation));
        publisher.Publish(Failure("203.0.113.2", "during-1"));
        publisher.Publish(Failure("203.0.113.3", "during-2"));
        await _nats.StartAsync(Cancellation);

        var events = await CapturedAsync(3);
        Assert.Equal(["before", "during-1", "during-2"], events.Select(json => json.GetProperty("username").GetString()));
    }

    [Fact]
    public async Task A_full_buffer_drops_the_oldest_and_counts_them()
    {
        await CaptureInStreamAsync();
        await _nats.StopAsync();
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Scope == _metrics.GetRequiredService<IMeterFactory>() && instrument.Name == FailurePublisher.DroppedCounterName)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();
        var publisher = await StartPublisherAsync(bufferSize: 3);

        for (var i = 1; i <= 5; i++)
        {
            publisher.Publish(Failure($"203.0.113.{i}", $"attempt-{i}"));
        }
        Assert.Equal(2, Interlocked.Read(ref dropped));
        await _nats.StartAsync(Cancellation);

        var events = await CapturedAsync(3);
        Assert.Equal(["attempt-3", "attempt-4", "attempt-5"], events.Select(json => json.GetProperty("username").GetString()));
    }
}
