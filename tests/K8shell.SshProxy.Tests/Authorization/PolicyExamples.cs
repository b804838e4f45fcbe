using K8shell.SshProxy.Authorization;

namespace K8shell.SshProxy.Tests.Authorization;

/// <summary>Users, inputs and rules files for the policy tests, each in its own temporary directory.</summary>
internal sealed class PolicyExamples : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("k8shell-policy-");

    public static PolicySubject User(string username = "alice", string[]? roles = null, string organization = "acme", bool sudo = false) =>
        new(username, $"{username}@example.com", username, 1000, 1000, roles ?? ["user"], organization, "idp.k8shell.io/file", "/bin/bash", sudo);

    public static PolicyInput Input(string action, PolicySubject? subject = null, string owner = "alice", string? blueprint = "dev",
        params (string Key, string Value)[] context) =>
        new(action, PolicyResource.Workspace("alice-59936c3", owner, blueprint), context.ToDictionary(entry => entry.Key, entry => entry.Value), subject ?? User());

    /// <summary>Writes (or rewrites) the rules file <c>policy.yaml</c> and returns its path.</summary>
    public string Write(string yaml)
    {
        var path = Path.Combine(_directory.FullName, "policy.yaml");
        // Replaced, not rewritten in place, as editors do: the watcher never reads half a file.
        var next = path + ".next";
        File.WriteAllText(next, yaml);
        File.Move(next, path, overwrite: true);
        return path;
    }

    public PolicyRuleSet Parse(string yaml) => PolicyFileParser.Parse(Write(yaml));

    public void Dispose() => _directory.Delete(recursive: true);
}
