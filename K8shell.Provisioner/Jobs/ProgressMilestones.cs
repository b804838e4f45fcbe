using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Jobs;

/// <summary>
/// The percentages of reference §7.1: successive Starting stages → 20, 40, 60, 75; Pulling → 50;
/// Running → 100. Never backwards: a late Starting after Pulling does not fall below 50.
/// </summary>
internal sealed class ProgressMilestones
{
    private static readonly uint[] Starting = [20, 40, 60, 75];
    private int _startingSeen;
    private uint _percent;

    /// <summary>The percentage after a status transition, or null when it does not move.</summary>
    public uint? After(WorkspaceStatus status)
    {
        uint next = status switch
        {
            WorkspaceStatus.Starting => Starting[Math.Min(_startingSeen++, Starting.Length - 1)],
            WorkspaceStatus.Pulling => 50,
            WorkspaceStatus.Running => 100,
            _ => 0,
        };
        if (next <= _percent)
        {
            return null;
        }
        _percent = next;
        return next;
    }
}
