using System.Reflection;

namespace K8shell.WorkspaceDaemon;

/// <summary>The daemon's version, read once: the handshake reports it, splashes show it.</summary>
internal static class DaemonVersion
{
    private static readonly string Informational =
        typeof(DaemonVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    /// <summary>major.minor.patch.</summary>
    public static string Number { get; } = typeof(DaemonVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The source revision the SDK appends after '+' when it builds from git; empty otherwise.</summary>
    public static string Commit { get; } = Informational.IndexOf('+') is var plus and >= 0 ? Informational[(plus + 1)..] : "";
}
