namespace K8shell.Sessions;

/// <summary>Section <c>Sessions</c>: where Sessions keeps its state.</summary>
public sealed class SessionsOptions
{
    public const string Section = "Sessions";

    /// <summary>The database file (without PostgreSQL) and <c>recordings/</c>; configured relative to the content root, absolute once bound.</summary>
    public string DataDirectory { get; set; } = "data";
}
