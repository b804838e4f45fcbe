using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Jobs;

/// <summary>
/// A provisioning job in progress: its record (every event so far) and the callers following it. A
/// caller that joins gets the latest status, then every event from then on; the stream ends when the
/// job does. Callers come and go without touching the job.
/// </summary>
internal sealed class RunningJob
{
    private readonly object _gate = new();
    private readonly ProvisionJob _record;
    private readonly List<Channel<ProvisionEvent>> _followers = [];
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProvisionEvent? _lastStatus;

    public RunningJob(string id, string workspace, string username, string blueprint, DateTimeOffset now)
    {
        Blueprint = blueprint;
        _record = new ProvisionJob
        {
            Id = id,
            Workspace = workspace,
            Username = username,
            Status = ProvisionJob.Types.Status.Running,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            UpdatedAt = Timestamp.FromDateTimeOffset(now),
        };
    }

    public string Id => _record.Id;

    public string Workspace => _record.Workspace;

    public string Blueprint { get; }

    public Task Finished => _finished.Task;

    /// <summary>Set when a stop or delete of the workspace ends the job: it then leaves the cleaning up to them.</summary>
    public bool Abandoned { get; set; }

    /// <summary>A copy of the record as it stands.</summary>
    public ProvisionJob Snapshot()
    {
        lock (_gate)
        {
            return _record.Clone();
        }
    }

    /// <summary>Events from now on (the latest status first), ending with the job.</summary>
    public ChannelReader<ProvisionEvent> Follow(CancellationToken cancellationToken)
    {
        var follower = Channel.CreateUnbounded<ProvisionEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_lastStatus is not null)
            {
                follower.Writer.TryWrite(_lastStatus);
            }
            if (_finished.Task.IsCompleted)
            {
                follower.Writer.TryComplete();
                return follower.Reader;
            }
            _followers.Add(follower);
        }
        cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _followers.Remove(follower);
            }
            follower.Writer.TryComplete();
        });
        return follower.Reader;
    }

    public void Publish(ProvisionEvent @event)
    {
        lock (_gate)
        {
            _record.Events.Add(@event);
            _record.UpdatedAt = @event.Timestamp;
            if (@event.Type == ProvisionEvent.Types.Type.Status)
            {
                _lastStatus = @event;
            }
            foreach (var follower in _followers)
            {
                follower.Writer.TryWrite(@event);
            }
        }
    }

    /// <summary>Records the outcome; followers still wait for <see cref="Release"/>, so the record can be stored before anyone reads it.</summary>
    public void Conclude(bool succeeded, DateTimeOffset now)
    {
        lock (_gate)
        {
            _record.Status = succeeded ? ProvisionJob.Types.Status.Completed : ProvisionJob.Types.Status.Failed;
            _record.FinishedAt = _record.UpdatedAt = Timestamp.FromDateTimeOffset(now);
        }
    }

    /// <summary>Ends every follower's stream.</summary>
    public void Release()
    {
        lock (_gate)
        {
            foreach (var follower in _followers)
            {
                follower.Writer.TryComplete();
            }
            _followers.Clear();
        }
        _finished.TrySetResult();
    }
}
