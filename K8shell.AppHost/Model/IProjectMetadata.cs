namespace K8shell.AppHost.Model;

/// <summary>
/// What the generated <c>Projects.*</c> classes say about a referenced project (build/ProjectMetadata.targets),
/// as Aspire's IProjectMetadata does.
/// </summary>
public interface IProjectMetadata
{
    /// <summary>The absolute path of the project file.</summary>
    string ProjectPath { get; }
}
