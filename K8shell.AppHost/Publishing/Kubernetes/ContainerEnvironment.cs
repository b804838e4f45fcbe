namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// A resource's environment and arguments split the way the chart holds them: plain variables in its
/// ConfigMap (each one a <c>config</c> value), anything that holds a secret in its Secret, and arguments
/// that would carry a secret replaced by <c>$(VARIABLE)</c>, which Kubernetes expands from that Secret, so no
/// secret shows in the pod spec.
/// </summary>
internal sealed class ContainerEnvironment
{
    /// <summary>Where a service's state goes in its container (a volume: the root file system is read-only).</summary>
    public const string DataPath = "/var/lib/k8shell";

    private ContainerEnvironment()
    {
    }

    public SortedDictionary<string, HelmText> Config { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, HelmText> Secrets { get; } = new(StringComparer.Ordinal);

    public List<HelmText> Args { get; } = [];

    /// <summary>True when the service keeps files (it has a data directory in a local run).</summary>
    public bool KeepsData { get; private set; }

    public static ContainerEnvironment For(IResource resource, DistributedApplicationExecutionContext publish, ChartValues values)
    {
        var result = new ContainerEnvironment();
        var environment = PublishModeEnvironment.Of(resource, publish);
        foreach (var (name, value) in environment)
        {
            result.Add(resource.Name, name, ClusterValue.Of(value), values);
        }
        foreach (var dataDirectory in resource.Annotations.OfType<DataDirectoryAnnotation>())
        {
            result.KeepsData = true;
            result.Add(resource.Name, dataDirectory.Variable, HelmText.Of(DataPath), values);
        }
        if (resource.Name == K8shellCluster.WorkspaceManager)
        {
            foreach (var (name, value) in K8shellCluster.WorkspaceManagerSettings(environment, values))
            {
                result.Add(resource.Name, name, value, values);
            }
        }
        foreach (var arg in resource.GetArgs(publish))
        {
            result.Args.Add(arg is ParameterResource { Secret: true } secret ? result.SecretArgument(secret) : ClusterValue.Of(arg) is { IsSecret: false } text ? text
                : throw new NotSupportedException($"{resource.Name}: an argument that embeds a secret cannot be published; pass the secret parameter alone."));
        }
        return result;
    }

    private void Add(string resource, string name, HelmText value, ChartValues values)
    {
        if (value.IsSecret)
        {
            Secrets[name] = value;
        }
        else
        {
            // Plain literals go through values.yaml so an install can change them; the rest (the release's
            // namespace, say) is written where it is used.
            Config[name] = value.IsLiteral ? values.Config(resource, name, value.LiteralText) : value;
        }
    }

    /// <summary>The secret as a variable of the Secret, and <c>$(NAME)</c> for the argument.</summary>
    private HelmText SecretArgument(ParameterResource secret)
    {
        var variable = secret.Name.Replace('-', '_').ToUpperInvariant();
        Secrets[variable] = ClusterValue.Parameter(secret);
        return HelmText.Of($"$({variable})");
    }
}
