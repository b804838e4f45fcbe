namespace K8shell.ServiceDefaults;

/// <summary>
/// Calls back once things settle after any file in the given directories changes: configuration that
/// services reload (user files, blueprints). Editors replace files (rename) as often as they write them,
/// and write in bursts, so every kind of change counts and a burst makes one call.
/// </summary>
public sealed class DirectoryWatch : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _settled;

    public DirectoryWatch(IEnumerable<string> directories, Action changed)
    {
        _settled = new Timer(_ => changed());
        foreach (var directory in directories.Distinct())
        {
            var watcher = new FileSystemWatcher(directory) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            watcher.Changed += (_, _) => _settled.Change(Settle, Timeout.InfiniteTimeSpan);
            watcher.Created += (_, _) => _settled.Change(Settle, Timeout.InfiniteTimeSpan);
            watcher.Deleted += (_, _) => _settled.Change(Settle, Timeout.InfiniteTimeSpan);
            watcher.Renamed += (_, _) => _settled.Change(Settle, Timeout.InfiniteTimeSpan);
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public void Dispose()
    {
        _settled.Dispose();
        _watchers.ForEach(watcher => watcher.Dispose());
    }
}
