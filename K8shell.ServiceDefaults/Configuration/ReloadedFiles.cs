using Microsoft.Extensions.Logging;

namespace K8shell.ServiceDefaults.Configuration;

/// <summary>
/// Configuration read from files and kept current (user files, blueprints): loaded once at construction,
/// where a problem throws and stops the service; loaded again once things settle after any file in the
/// directories changes, where a problem keeps the last good value in use and the log says why.
/// Editors replace files (rename) as often as they write them, and write in bursts, so every kind of
/// change counts and a burst makes one reload.
/// </summary>
public sealed class ReloadedFiles<T> : IDisposable where T : class
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    private readonly Func<T> _load;
    private readonly string _what;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _settled;
    private volatile T _current;

    /// <param name="directories">Where the files are.</param>
    /// <param name="load">Reads every file; a FormatException (or an I/O error) says what is wrong.</param>
    /// <param name="what">What the files hold, for the log ("User files", "Blueprints").</param>
    /// <param name="logger">Where a refused reload is reported.</param>
    public ReloadedFiles(IEnumerable<string> directories, Func<T> load, string what, ILogger logger)
    {
        _load = load;
        _what = what;
        _logger = logger;
        _current = load();
        _settled = new Timer(_ => Reload());
        foreach (var directory in directories.Distinct())
        {
            var watcher = new FileSystemWatcher(directory) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
            watcher.Changed += Changed;
            watcher.Created += Changed;
            watcher.Deleted += Changed;
            watcher.Renamed += Changed;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public T Current => _current;

    private void Changed(object sender, FileSystemEventArgs change) => _settled.Change(Settle, Timeout.InfiniteTimeSpan);

    private void Reload()
    {
        try
        {
            _current = _load();
        }
        // On a timer thread: anything a file can do wrong must end here, not end the process.
        catch (Exception refused) when (refused is FormatException or IOException or UnauthorizedAccessException)
        {
            _logger.LogError("{What} not reloaded, the last good ones stay in use: {Reason}", _what, refused.Message);
        }
    }

    public void Dispose()
    {
        _settled.Dispose();
        _watchers.ForEach(watcher => watcher.Dispose());
    }
}
