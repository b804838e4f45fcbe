using System.Threading.Channels;
using Google.Protobuf;
using K8shell.Contracts.Provisioner.V1;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.Provisioner.Jobs;

/// <summary>Section <c>Provisioner:Jobs</c>.</summary>
public sealed class JobRecordOptions
{
    public const string Section = "Provisioner:Jobs";

    /// <summary>How long job records stay in the bucket (reference: <c>kv.provisionBucketTTL</c>, 48 h).</summary>
    public TimeSpan RecordTtl { get; set; } = TimeSpan.FromHours(48);
}

/// <summary>
/// Job records in the NATS JetStream KV bucket <c>workspace-provision-jobs</c> (key: the job ID, value:
/// the <see cref="ProvisionJob"/> message), so any replica and any tool can read how a provisioning went.
/// Writes never hold a job up: each job's latest record is written by one background loop, and a NATS
/// outage costs the records written meanwhile (logged), not the provisioning.
/// </summary>
internal sealed class JobRecords(INatsConnection nats, IOptions<JobRecordOptions> options, ILogger<JobRecords> logger)
{
    public const string Bucket = "workspace-provision-jobs";

    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly ILogger _logger = logger;
    private INatsKVStore? _store;

    /// <summary>The stored record, or null when there is none.</summary>
    /// <exception cref="NatsException">NATS cannot be reached.</exception>
    public async Task<ProvisionJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken);
        var entry = await store.TryGetEntryAsync<byte[]>(id, cancellationToken: cancellationToken);
        return entry.Success && entry.Value.Value is { } bytes ? ProvisionJob.Parser.ParseFrom(bytes) : null;
    }

    /// <summary>A writer for one job's record: <see cref="RecordWriter.Write"/> never waits, <see cref="RecordWriter.FlushAsync"/> does.</summary>
    public RecordWriter Writer() => new(this);

    private async Task PutAsync(ProvisionJob job, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken);
        await store.PutAsync(job.Id, job.ToByteArray(), cancellationToken: cancellationToken);
    }

    private async Task<INatsKVStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_store is { } store)
        {
            return store;
        }
        await _opening.WaitAsync(cancellationToken);
        try
        {
            return _store ??= await nats.CreateKeyValueStoreContext().CreateOrUpdateStoreAsync(
                new NatsKVConfig(Bucket) { MaxAge = options.Value.RecordTtl, Description = "K8shell provisioning jobs" }, cancellationToken);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Writes the newest record of one job in the background; older unwritten ones are skipped.</summary>
    public sealed class RecordWriter
    {
        private readonly Channel<ProvisionJob> _pending = Channel.CreateBounded<ProvisionJob>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        private readonly Task _loop;

        internal RecordWriter(JobRecords records) => _loop = WriteLoopAsync(records);

        public void Write(ProvisionJob snapshot) => _pending.Writer.TryWrite(snapshot);

        /// <summary>Writes what is pending and ends the writer (bounded: a dead NATS does not hold the job).</summary>
        public async Task FlushAsync()
        {
            _pending.Writer.TryComplete();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task WriteLoopAsync(JobRecords records)
        {
            var failed = false;
            await foreach (var snapshot in _pending.Reader.ReadAllAsync())
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await records.PutAsync(snapshot, timeout.Token);
                    failed = false;
                }
                catch (Exception failure) when (failure is NatsException or OperationCanceledException)
                {
                    if (!failed)
                    {
                        records._logger.LogWarning("Cannot record job {Job} of {Workspace} in {Bucket}: {Reason}", snapshot.Id, snapshot.Workspace, Bucket, failure.Message);
                    }
                    failed = true;
                }
            }
        }
    }
}
