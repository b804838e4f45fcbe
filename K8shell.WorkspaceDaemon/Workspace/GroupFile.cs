namespace K8shell.WorkspaceDaemon.Workspace;

/// <summary>
/// The groups a login of an account gets, read from /etc/group as initgroups(3) reads its "files"
/// source: the primary group, then every group whose member list names the account. The daemon reads
/// it itself, as it reads passwd, so a child's groups never depend on the image's NSS configuration
/// finding an account the daemon already knows.
/// </summary>
public static class GroupFile
{
    public static IReadOnlyList<uint> GroupsOf(string name, uint primaryGid, string path = "/etc/group")
    {
        var groups = new List<uint> { primaryGid };
        if (!File.Exists(path))
        {
            return groups;
        }
        foreach (var fields in File.ReadLines(path).Select(line => line.Split(':')))
        {
            if (fields.Length >= 4 && uint.TryParse(fields[2], out var gid) && !groups.Contains(gid)
                && fields[3].Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.Ordinal))
            {
                groups.Add(gid);
            }
        }
        return groups;
    }
}
