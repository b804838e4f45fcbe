using System.Collections.Concurrent;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>A policy the test sets: every question is kept, and <see cref="Decide"/> answers it (allow by default).</summary>
internal sealed class FakeAuthorizer : IChannelAuthorizer
{
    public ConcurrentQueue<(string Action, IReadOnlyDictionary<string, string> Context)> Asked { get; } = new();

    public Func<string, IReadOnlyDictionary<string, string>, PolicyDecision> Decide { get; set; } = (_, _) => PolicyDecision.Allow();

    public ValueTask<PolicyDecision> AuthorizeAsync(string action, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        Asked.Enqueue((action, context));
        return ValueTask.FromResult(Decide(action, context));
    }
}

/// <summary>Recordings kept in memory: what was asked to be recorded, and the output each recording got.</summary>
internal sealed class FakeRecorders : IChannelRecorders
{
    public ConcurrentQueue<(RecordingRequest Request, FakeRecording Recording)> Started { get; } = new();

    /// <summary>Set to refuse every recording, as Sessions unreachable with failMode closed does.</summary>
    public string? Refusal { get; set; }

    public ValueTask<IChannelRecording?> StartAsync(RecordingRequest request, CancellationToken cancellationToken)
    {
        if (Refusal is not null)
        {
            throw new RecordingRefusedException(Refusal);
        }
        var recording = new FakeRecording();
        Started.Enqueue((request, recording));
        return ValueTask.FromResult<IChannelRecording?>(recording);
    }
}

internal sealed class FakeRecording : IChannelRecording
{
    private readonly MemoryStream _output = new();

    public bool Disposed { get; private set; }

    public byte[] OutputBytes()
    {
        lock (_output)
        {
            return _output.ToArray();
        }
    }

    public void Output(ReadOnlySpan<byte> data)
    {
        lock (_output)
        {
            _output.Write(data);
        }
    }

    /// <summary>No test reads what the client sent: it is not kept.</summary>
    public void Input(ReadOnlySpan<byte> data)
    {
    }

    public void Resize(uint columns, uint rows)
    {
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
