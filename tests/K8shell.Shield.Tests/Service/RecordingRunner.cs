using System.Collections.Concurrent;
using K8shell.Shield.Nftables;

namespace K8shell.Shield.Tests.Service;

/// <summary>Records the command lines Shield would run instead of running them (nft never runs in tests).</summary>
internal sealed class RecordingRunner : ICommandRunner
{
    public ConcurrentQueue<string> CommandLines { get; } = new();

    public Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        CommandLines.Enqueue(string.Join(' ', [program, .. arguments]));
        return Task.CompletedTask;
    }
}
