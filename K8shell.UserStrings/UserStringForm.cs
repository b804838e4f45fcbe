namespace K8shell.UserStrings;

/// <summary>The shape of a user string, which decides what the Provisioner does with it.</summary>
public enum UserStringForm
{
    /// <summary><c>alice</c>: no workspace spec; the Provisioner picks the user's default blueprint.</summary>
    Implicit,

    /// <summary><c>alice~dev</c>: a blueprint named literally, optionally injected into a workload.</summary>
    Blueprint,

    /// <summary><c>alice~pod=ws1</c>: attach to an existing pod by name; never provisions.</summary>
    Named,

    /// <summary><c>alice~repo=org%2Fproj</c>: a workspace built from a git repository's blueprint.</summary>
    Repo,
}
