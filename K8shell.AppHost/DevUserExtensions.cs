namespace K8shell.AppHost;

/// <summary>Seeds the local run with its developer as a user (SPEC.md §11), so <c>ssh -p 2222 you@localhost</c> knows them.</summary>
public static class DevUserExtensions
{
    public const string FileName = "dev-user.yaml";

    /// <summary>
    /// Locally: before the start, writes <c>&lt;K8SHELL_DATA&gt;/dev-user.yaml</c> for the current OS user with their public
    /// keys (<see cref="DevUserKeys"/>, from <c>$HOME/.ssh</c>) and gives it to the service as the first of
    /// <paramref name="userFilesKey"/>. Deployed: nothing (a cluster's users are the operator's).
    /// </summary>
    public static IResourceBuilder<T> WithDevUser<T>(this IResourceBuilder<T> identity, string userFilesKey)
        where T : IResourceWithEnvironment =>
        identity
            .WithAnnotation(new BeforeStartAnnotation(context =>
            {
                Seed(context.ExecutionContext, context.Report);
                return Task.CompletedTask;
            }))
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode && File.Exists(PathIn(context.ExecutionContext)))
                {
                    context.EnvironmentVariables[$"{userFilesKey.Replace(":", "__")}__0"] = PathIn(context.ExecutionContext);
                }
            });

    private static string PathIn(DistributedApplicationExecutionContext context) => Path.Combine(context.DataDirectory, FileName);

    private static void Seed(DistributedApplicationExecutionContext context, Action<string> report)
    {
        var path = PathIn(context);
        var username = Environment.UserName;
        // Identity refuses the whole file for a name it cannot take, and would not start: run without the dev user instead.
        if (username.Length is 0 or > 32 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            File.Delete(path);
            report($"No dev user: '{username}' is not a K8shell user name (letters, digits, - _ ., up to 32)");
            return;
        }
        var home = context.GetEnvironmentVariable("HOME") is { Length: > 0 } set ? set : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var keys = DevUserKeys.Read(home);
        var (uid, gid) = OwnIds();
        Directory.CreateDirectory(context.DataDirectory);
        File.WriteAllText(path, DevUserFile.Write(username, uid, gid, keys));
        report(keys.Count > 0
            ? $"Dev user {username}: {keys.Count} key(s) from {home}/.ssh"
            : $"Dev user {username} has no key: none in {home}/.ssh/*.pub or authorized_keys (ssh-keygen makes one; restart to pick it up)");
    }

    /// <summary>This process's real uid and gid, from <c>/proc/self/status</c> (.NET does not expose them).</summary>
    private static (uint Uid, uint Gid) OwnIds()
    {
        uint Field(string name) => File.ReadLines("/proc/self/status")
            .Where(line => line.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(line => uint.Parse(line.Split((char[])[' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        return (Field("Uid"), Field("Gid"));
    }
}
