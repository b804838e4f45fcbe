using System.ComponentModel.DataAnnotations;

namespace K8shell.WorkspaceDaemon.Workspace;

/// <summary>
/// The workspace this daemon serves, from configuration section <c>Workspace</c>: the file the
/// Provisioner writes (<c>K8SHELLD_CONFIG</c>, JSON) and <c>Workspace__*</c> environment variables.
/// </summary>
public sealed class WorkspaceOptions
{
    public const string Section = "Workspace";

    /// <summary>The workspace's canonical ID.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The SSH user who owns it; only their tokens are accepted.</summary>
    [Required]
    public string Owner { get; set; } = "";

    /// <summary>
    /// The OS account processes run as. When the daemon runs as root it is created if missing
    /// (with <see cref="Uid"/>/<see cref="Gid"/>) and switched to; otherwise processes run as the
    /// daemon's own user. Defaults to <see cref="Owner"/>.
    /// </summary>
    public string? User { get; set; }

    public int? Uid { get; set; }

    public int? Gid { get; set; }

    /// <summary>The user's home; defaults to the account's home directory.</summary>
    public string? Home { get; set; }

    /// <summary>The login shell; defaults to the account's shell, then /bin/sh.</summary>
    public string? Shell { get; set; }

    /// <summary>Environment every process gets (the blueprint's), under the client's and the fixed login variables.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>Run once, in order, by the user's shell, before the first session; their state is in SystemInfo.</summary>
    public List<InitScriptOptions> InitScripts { get; set; } = [];

    /// <summary>Printed before the first prompt of shells that ask for it.</summary>
    public string Splash { get; set; } = "";

    /// <summary>The SFTP server program (Debian's openssh-sftp-server).</summary>
    [Required]
    public string SftpServer { get; set; } = "/usr/lib/openssh/sftp-server";

    /// <summary>Where agent sockets are created; defaults to /run/user/&lt;uid&gt; when it exists, else a private temp directory.</summary>
    public string? RuntimeDirectory { get; set; }
}

public sealed class InitScriptOptions
{
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Shell commands, run as <c>&lt;shell&gt; -c</c> in the home directory.</summary>
    [Required]
    public string Script { get; set; } = "";
}
