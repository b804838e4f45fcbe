using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults;
using K8shell.ServiceDefaults.Nats;
using K8shell.Shield.Nftables;
using K8shell.Shield.State;
using K8shell.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.Shield.Tests.Service;

/// <summary>
/// Shield hosts as the service runs them (options from configuration, its NATS connection), on names of their own
/// on a shared nats-server, with the test's clock and nft runner; and the proxy's side: failure events published
/// with core NATS, bans and state read back from the buckets.
/// </summary>
internal sealed class ShieldTestBed(string natsUrl) : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly List<IHost> _hosts = [];
    private readonly List<IHost> _started = [];
    private NatsConnection? _proxy;

    public SettableTime Time { get; } = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    public RecordingRunner Runner { get; } = new();

    public string Subject => $"ssh.failures.t{_id}";

    /// <summary>Shield's JetStream stream of <see cref="Subject"/>.</summary>
    public string FailureStream => $"FAILURES_{_id}";

    public string StateBucket => $"state-{_id}";

    public string BansBucket => $"bans-{_id}";

    public Dictionary<string, string?> Settings => new()
    {
        ["ConnectionStrings:nats"] = natsUrl,
        ["Shield:Subject"] = Subject,
        ["Shield:Stream"] = FailureStream,
        ["Shield:StateBucket"] = StateBucket,
        ["Shield:BansBucket"] = BansBucket,
        ["Shield:RetryDelay"] = "00:00:00.100",
    };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A Shield host, not started; <paramref name="extra"/> settings override the bed's.</summary>
    public IHost Build(params (string Key, string Value)[] extra)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "K8shell.Shield" });
        var settings = Settings;
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddSingleton<ICommandRunner>(Runner);
        builder.AddNatsClient("nats");
        builder.AddShield();
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    /// <summary>A started Shield whose consumer is ready: what the proxy publishes from now on is captured.</summary>
    public async Task<IHost> StartAsync(params (string Key, string Value)[] extra)
    {
        var host = Build(extra);
        await host.StartAsync(Cancellation);
        _started.Add(host);
        await WaitForConsumerAsync();
        return host;
    }

    public async Task WaitForConsumerAsync()
    {
        var jetStream = Proxy().CreateJetStreamContext();
        var ready = await Eventually.WaitAsync(async () =>
        {
            try
            {
                await jetStream.GetConsumerAsync(FailureStream, "shield", Cancellation);
                return true;
            }
            catch (NATS.Client.JetStream.NatsJSApiException)
            {
                return false;
            }
        }, Patience, Cancellation);
        Assert.True(ready, "Shield did not set up its stream and consumer");
    }

    private NatsConnection Proxy() => _proxy ??= new NatsConnection(NatsOpts.Default with { Url = natsUrl });

    /// <summary>What the proxy publishes for one failed connection from <paramref name="address"/>, stamped with the test's clock.</summary>
    public async Task PublishFailuresAsync(string address, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var failure = FailureEvent.For(new IPEndPoint(IPAddress.Parse(address), 40000 + i), "alice", ["no matching public key"], "proxy-1", Time.Now);
            await Proxy().PublishAsync(Subject, failure.ToJson(), cancellationToken: Cancellation);
        }
        await Proxy().PingAsync(Cancellation);
    }

    /// <summary>Takes the bans bucket away under a running Shield, as an operator's mistake would; <see cref="BanAsync"/> brings it back.</summary>
    public async Task DeleteBansBucketAsync() => await Proxy().CreateKeyValueStoreContext().DeleteStoreAsync(BansBucket, Cancellation);

    /// <summary>How many events Shield's consumer has had delivered again (not acknowledged in time, or refused).</summary>
    public async Task<long> RedeliveredAsync() =>
        (await Proxy().CreateJetStreamContext().GetConsumerAsync(FailureStream, "shield", Cancellation)).Info.NumRedelivered;

    public async Task<BanEntry?> BanAsync(string address)
    {
        var bans = await Proxy().CreateKeyValueStoreContext().OpenOrCreateAsync(BanEntry.BucketConfig(BansBucket, BanEntry.DefaultBucketMaxAge), Cancellation);
        var entry = await bans.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(IPAddress.Parse(address)), cancellationToken: Cancellation);
        return entry.Success && entry.Value.Value is { } bytes ? BanEntry.FromJson(bytes) : null;
    }

    public async Task<IpRecord?> RecordAsync(string address)
    {
        INatsKVStore state;
        try
        {
            state = await Proxy().CreateKeyValueStoreContext().GetStoreAsync(StateBucket, Cancellation);
            await state.WaitUntilServingAsync(Cancellation); // Shield may be creating it this moment
        }
        catch (NATS.Client.JetStream.NatsJSApiException)
        {
            return null;
        }
        var entry = await state.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(IPAddress.Parse(address)), cancellationToken: Cancellation);
        return entry.Success && entry.Value.Value is { } bytes ? JsonSerializer.Deserialize<IpRecord>(bytes) : null;
    }

    /// <summary>Waits until <paramref name="address"/>'s record satisfies <paramref name="condition"/>; asserts it did.</summary>
    public async Task<IpRecord> WaitForRecordAsync(string address, Func<IpRecord, bool> condition, string what)
    {
        IpRecord? record = null;
        var held = await Eventually.WaitAsync(async () => (record = await RecordAsync(address)) is { } current && condition(current), Patience, Cancellation);
        Assert.True(held, $"{address}: {what} (record: {JsonSerializer.Serialize(record)})");
        return record!;
    }

    public async Task<BanEntry> WaitForBanAsync(string address)
    {
        BanEntry? ban = null;
        Assert.True(await Eventually.WaitAsync(async () => (ban = await BanAsync(address)) is not null, Patience, Cancellation), $"no ban of {address} appeared");
        return ban!;
    }

    /// <summary>Whether every published event has been consumed and acknowledged (the work queue is empty).</summary>
    public async Task WaitForQueueDrainedAsync()
    {
        var jetStream = Proxy().CreateJetStreamContext();
        var drained = await Eventually.WaitAsync(async () =>
        {
            var stream = await jetStream.GetStreamAsync(FailureStream, cancellationToken: Cancellation);
            return stream.Info.State.Messages == 0;
        }, Patience, Cancellation);
        Assert.True(drained, "the failure events were not all consumed");
    }

    public async ValueTask DisposeAsync()
    {
        // A host whose start failed cannot be stopped, only disposed.
        foreach (var host in _started)
        {
            await host.StopAsync(CancellationToken.None);
        }
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }
}
