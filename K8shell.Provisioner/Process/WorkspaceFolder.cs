using System.Text.Json;

namespace K8shell.Provisioner.Process;

/// <summary>
/// One Process workspace on disk, <c>&lt;root&gt;/&lt;canonical-id&gt;/</c>: the user's <c>home/</c>, the
/// record (<c>workspace.json</c>), the daemon's configuration (<c>k8shelld.json</c>), its pid file and log.
/// Files are written to a temporary name and renamed, so a crash never leaves one half-written.
/// </summary>
internal sealed class WorkspaceFolder(string root, string name)
{
    /// <summary>Folders being deleted are renamed with this prefix first, so they stop being workspaces at once.</summary>
    public const string DeletingPrefix = ".deleting-";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Name { get; } = name;

    public string Path { get; } = System.IO.Path.Combine(root, name);

    public string Home => System.IO.Path.Combine(Path, "home");

    public string RecordFile => System.IO.Path.Combine(Path, "workspace.json");

    public string DaemonConfigFile => System.IO.Path.Combine(Path, "k8shelld.json");

    public string PidFile => System.IO.Path.Combine(Path, "k8shelld.pid");

    public string LogFile => System.IO.Path.Combine(Path, "k8shelld.log");

    public bool Exists => File.Exists(RecordFile);

    /// <summary>The workspace folders under <paramref name="root"/> (those being deleted excluded).</summary>
    public static IEnumerable<WorkspaceFolder> All(string root) => Directory.Exists(root)
        ? Directory.EnumerateDirectories(root).Select(System.IO.Path.GetFileName).Where(name => !name!.StartsWith('.'))
            .Select(name => new WorkspaceFolder(root, name!)).Where(folder => folder.Exists)
        : [];

    public ProcessWorkspaceRecord? ReadRecord()
    {
        try
        {
            return JsonSerializer.Deserialize<ProcessWorkspaceRecord>(File.ReadAllBytes(RecordFile), Json);
        }
        catch (Exception failure) when (failure is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void WriteRecord(ProcessWorkspaceRecord record) => WriteAtomically(RecordFile, JsonSerializer.SerializeToUtf8Bytes(record, Json));

    public void WriteDaemonConfig(string configuration) => WriteAtomically(DaemonConfigFile, System.Text.Encoding.UTF8.GetBytes(configuration));

    /// <summary>Creates the folder and the home (both the user's alone).</summary>
    public void Create()
    {
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Removes the folder: renamed away first (atomic), so a new workspace of the same name can start at once.</summary>
    public void Delete()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }
        var doomed = System.IO.Path.Combine(root, $"{DeletingPrefix}{Name}-{Guid.NewGuid():N}");
        Directory.Move(Path, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>Finishes deletions a crash interrupted.</summary>
    public static void RemoveInterruptedDeletions(string root)
    {
        if (Directory.Exists(root))
        {
            foreach (var doomed in Directory.EnumerateDirectories(root, DeletingPrefix + "*"))
            {
                Directory.Delete(doomed, recursive: true);
            }
        }
    }

    /// <summary>The last lines the daemon printed, stack frames left out, for failure messages.</summary>
    public string LogTail(int lines = 5)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).Where(line => !line.TrimStart().StartsWith("at ", StringComparison.Ordinal)
                && !line.StartsWith("   --- ", StringComparison.Ordinal)).TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static void WriteAtomically(string path, byte[] content)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, content);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>What the Provisioner remembers of a Process workspace between its own restarts.</summary>
internal sealed record ProcessWorkspaceRecord(
    string Name,
    string UserStr,
    string Username,
    string Organization,
    string Blueprint,
    string JobId,
    DateTimeOffset Created,
    int Port,
    string Splash,
    string Cpu,
    string Memory,
    string LastFailure = "");
