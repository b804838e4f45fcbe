using K8shell.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace K8shell.Identity.Users.Files;

/// <summary>
/// The users of the configured YAML files, reloaded when a file changes. A file that does not parse
/// stops the service at start; later, it keeps the last good set in use and the log says which file,
/// line and field is wrong. A username in several files: the first one wins (reference §3.4), logged.
/// </summary>
public sealed class FileUserProvider : IDisposable
{
    private readonly IReadOnlyList<string> _paths;
    private readonly ILogger<FileUserProvider> _logger;
    private readonly ReloadedFiles<Dictionary<string, UserRecord>> _users;

    public FileUserProvider(IOptions<IdentityOptions> options, IHostEnvironment environment, ILogger<FileUserProvider> logger)
    {
        _paths = [.. options.Value.UserFiles.Select(path => Path.GetFullPath(path, environment.ContentRootPath))];
        _logger = logger;
        _users = new ReloadedFiles<Dictionary<string, UserRecord>>(_paths.Select(path => Path.GetDirectoryName(path)!), Load, "User files", logger);
    }

    public UserRecord? Find(string username) => _users.Current.GetValueOrDefault(username);

    public UserRecord? FindByEmail(string email) =>
        _users.Current.Values.FirstOrDefault(user => string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase));

    private Dictionary<string, UserRecord> Load()
    {
        var users = new Dictionary<string, UserRecord>();
        foreach (var path in _paths)
        {
            foreach (var user in UserFileParser.Parse(path))
            {
                if (!users.TryAdd(user.Username, user))
                {
                    _logger.LogWarning("{Path}: user {Username} is defined earlier already; the first definition is used", path, user.Username);
                }
            }
        }
        _logger.LogInformation("Loaded {Count} users from {Files} files", users.Count, _paths.Count);
        return users;
    }

    public void Dispose() => _users.Dispose();
}
