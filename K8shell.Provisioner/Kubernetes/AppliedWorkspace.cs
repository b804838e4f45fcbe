using k8s.Models;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// What an apply left for the start watch: the pod (made now or kept), and the claims it mounts with
/// their uids (events of an earlier claim of the same name are not about these), those made now apart.
/// </summary>
internal sealed record AppliedWorkspace(V1Pod Pod, bool PodCreated, IReadOnlyDictionary<string, string> ClaimUids, IReadOnlySet<string> ClaimsCreated);
