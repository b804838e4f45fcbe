namespace K8shell.Testing.Kubernetes;

/// <summary>
/// What a resource URL names: <c>/api/v1[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c>
/// or the same under <c>/apis/{group}/{version}</c>.
/// </summary>
internal sealed record ApiPath(ResourceKind Kind, string? Namespace, string? Name, string? Subresource, bool WatchPrefix)
{
    public static ApiPath Parse(string[] segments)
    {
        var (group, version, rest) = segments switch
        {
            ["api", var v, .. var r] => ("", v, r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => throw ApiException.NoSuchPath(),
        };
        var watch = rest is ["watch", ..];
        if (watch)
        {
            rest = rest[1..];
        }
        string? ns = null;
        if (rest is ["namespaces", var namespaceName, var plural, ..] && ResourceKind.Find(group, version, plural) is { Namespaced: true })
        {
            ns = namespaceName;
            rest = rest[2..];
        }
        if (rest.Length is 0 or > 3 || ResourceKind.Find(group, version, rest[0]) is not { } kind)
        {
            throw ApiException.NoSuchPath();
        }
        var name = rest.Length > 1 ? rest[1] : null;
        if (kind.Namespaced && ns is null && name is not null)
        {
            throw ApiException.NoSuchPath();
        }
        return new ApiPath(kind, ns, name, rest.Length > 2 ? rest[2] : null, watch);
    }
}
