using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Workspace;

/// <summary>
/// Creates the workspace's account in a container image that lacks it: a group and a user line
/// appended to /etc/group and /etc/passwd (what useradd would write, without needing useradd in the
/// image), and a home directory the user owns.
/// </summary>
public static class LocalAccounts
{
    public static PasswdEntry Create(string name, uint uid, uint gid, string home, string shell, string passwdFile, string groupFile)
    {
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || name.Length is 0 or > 32)
        {
            throw new InvalidOperationException($"Workspace:User \"{name}\" is not a valid account name");
        }
        if (PasswdEntry.ReadAll(passwdFile).FirstOrDefault(account => account.Uid == uid) is { } taken)
        {
            throw new InvalidOperationException($"Workspace:Uid {uid} belongs to \"{taken.Name}\" already");
        }
        if (!File.ReadLines(groupFile).Any(line => line.Split(':') is { Length: >= 3 } fields && fields[2] == gid.ToString()))
        {
            AppendLine(groupFile, $"{name}:x:{gid}:");
        }
        AppendLine(passwdFile, $"{name}:x:{uid}:{gid}:{name}:{home}:{shell}");
        if (!Directory.Exists(home))
        {
            CreateWithMode(home, HomeMode);
            LibC.ChangeOwner(home, uid, gid);
        }
        return new PasswdEntry(name, uid, gid, home, shell);
    }

    /// <summary>The user's alone, as adduser makes it.</summary>
    private const UnixFileMode HomeMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>What /home has: everyone may pass through to their own home.</summary>
    private const UnixFileMode ParentMode = HomeMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="directory"/> and its missing parents with modes set after the fact: mkdir's
    /// modes pass through the umask the daemon inherited, and under a strict one (077) a parent it created
    /// would shut the user out of their home.
    /// </summary>
    private static void CreateWithMode(string directory, UnixFileMode mode)
    {
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory)) is { } parent && !Directory.Exists(parent))
        {
            CreateWithMode(parent, ParentMode);
        }
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, mode);
    }

    /// <summary>
    /// Appends <paramref name="line"/> on a line of its own: images whose last line lacks its newline
    /// exist, and a line glued to it would be an account nobody can find.
    /// </summary>
    private static void AppendLine(string file, string line)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var needsNewline = false;
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            needsNewline = stream.ReadByte() != '\n';
        }
        stream.Seek(0, SeekOrigin.End);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(needsNewline ? $"\n{line}\n" : $"{line}\n"));
    }
}
