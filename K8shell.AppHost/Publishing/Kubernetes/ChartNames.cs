namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>Names in the chart: values keys and the labels that tie a resource's objects together.</summary>
internal static class ChartNames
{
    public const string Chart = "k8shell";

    /// <summary>A values key for a resource or parameter name: Helm's <c>.Values.a.b</c> cannot step through a hyphen.</summary>
    public static string Key(string name) => name.Replace('-', '_');

    /// <summary>
    /// <c>app.kubernetes.io/name</c> is the resource, not the chart as in Aspire's charts: the Provisioner's
    /// workspace network policies let in gateway pods by that label (<c>Provisioner:Kubernetes:GatewayApps</c>,
    /// <c>ssh-proxy</c>), as the product's own chart labels them.
    /// </summary>
    public static Dictionary<string, HelmText> Selector(string resource) => new()
    {
        ["app.kubernetes.io/name"] = HelmText.Of(resource),
        ["app.kubernetes.io/instance"] = HelmText.ReleaseName,
    };

    public static Dictionary<string, HelmText> Labels(string resource) => new(Selector(resource))
    {
        ["app.kubernetes.io/part-of"] = HelmText.Of(Chart),
        ["app.kubernetes.io/managed-by"] = HelmText.Of("Helm"),
    };
}
