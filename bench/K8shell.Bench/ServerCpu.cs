using K8shell.Testing;

namespace K8shell.Bench;

/// <summary>
/// The CPU a server spends on a measure: its processes' own time plus the time of the children they reaped meanwhile
/// (the commands they ran; sshd's per-connection processes). The same commands run on both servers, so the difference
/// between two servers' figures is the servers' own cost.
/// </summary>
internal sealed class ServerCpu(Func<IReadOnlyList<int>> processes, Func<bool>? childrenReaped = null)
{
    public TimeSpan Used() => ProcessStats.CpuTimeWithReapedChildren(processes());

    /// <summary>Waits (up to 2 s) until the run's children were reaped: a child's time reaches its parent only then.</summary>
    public Task SettleAsync(CancellationToken cancellationToken) =>
        childrenReaped is null ? Task.CompletedTask : Eventually.WaitAsync(childrenReaped, TimeSpan.FromSeconds(2), cancellationToken);
}
