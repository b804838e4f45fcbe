using K8shell.ServiceDefaults.Nats;
using K8shell.Testing;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>A shared bucket (ssh-bans) opened by services that start together, each over its own connection to the real nats-server.</summary>
public sealed class KeyValueBucketsTests(NatsServerFixture nats)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Services_starting_together_all_get_the_one_bucket_and_its_first_configuration()
    {
        var bucket = $"shared-{Guid.NewGuid():N}";
        var connections = Enumerable.Range(0, 8).Select(_ => new NatsConnection(new NatsOpts { Url = nats.Url })).ToArray();
        try
        {
            await Task.WhenAll(connections.Select(connection => connection.ConnectAsync().AsTask()));
            // Every creator races the others: JetStream refuses all but one create ("subjects overlap", "name already in use").
            var stores = await Task.WhenAll(connections.Select((connection, index) => connection.CreateKeyValueStoreContext()
                .OpenOrCreateAsync(new NatsKVConfig(bucket) { History = 1, Description = $"creator {index}" }, Cancellation)));

            await stores[0].PutAsync("k", "written by one", cancellationToken: Cancellation);
            foreach (var store in stores)
            {
                Assert.Equal("written by one", (await store.GetEntryAsync<string>("k", cancellationToken: Cancellation)).Value);
            }
            var status = await stores[^1].GetStatusAsync(Cancellation);
            Assert.StartsWith("creator ", status.Info.Config.Description); // one creator's, kept: later ones opened it as it was
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
