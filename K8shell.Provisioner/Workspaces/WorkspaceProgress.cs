using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// One step a backend reports while applying a workspace: a stage with the status it maps to
/// (reference §7.2: Scheduling/Initializing/Starting → Starting, Pulling → Pulling, Running → Running,
/// Failed → Failing), or, with <see cref="IsBackendEvent"/>, a raw event ("&lt;Reason&gt;: &lt;text&gt;")
/// with its severity. A Critical event is followed by a Failing stage.
/// </summary>
internal sealed record WorkspaceProgress(
    WorkspaceStatus Status,
    string Stage,
    string Message,
    string ObjectName,
    bool IsBackendEvent = false,
    ProvisionEvent.Types.Severity Severity = ProvisionEvent.Types.Severity.Info)
{
    public static WorkspaceProgress StageOf(WorkspaceStatus status, string stage, string message, string objectName) =>
        new(status, stage, message, objectName);

    public static WorkspaceProgress Event(string reason, string text, string objectName, ProvisionEvent.Types.Severity severity, WorkspaceStatus status) =>
        new(status, "", $"{reason}: {text}", objectName, IsBackendEvent: true, severity);

    /// <summary>Whether the apply is over: Running, or a failure that abandons it.</summary>
    public bool IsTerminal => !IsBackendEvent && Status is WorkspaceStatus.Running or WorkspaceStatus.Failing or WorkspaceStatus.Stopped or WorkspaceStatus.Error;
}
