using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// A resource's Services: <c>&lt;resource&gt;</c> inside the cluster (ClusterIP, each endpoint on its target port,
/// so <c>http://identity:9020</c> is what a local run's <c>services__identity__grpc__0</c> becomes), and
/// <c>&lt;resource&gt;-external</c>, a LoadBalancer, for external TCP endpoints (the SSH proxy on 22). External
/// HTTP endpoints get no ingress, as in Aspire's charts: that is the operator's choice.
/// </summary>
internal static class ServiceTemplate
{
    public static IEnumerable<(string Name, JsonObject Service)> Build(IResource resource)
    {
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        if (endpoints.Count == 0)
        {
            yield break;
        }
        yield return ("service", Service(resource.Name, resource.Name, "ClusterIP", [.. endpoints.Select(endpoint => Port(endpoint, endpoint.TargetPort ?? endpoint.Port))]));
        var external = endpoints.Where(endpoint => endpoint.IsExternal && !endpoint.IsHttp).ToList();
        if (external.Count > 0)
        {
            var service = Service($"{resource.Name}-external", resource.Name, "LoadBalancer", [.. external.Select(endpoint => Port(endpoint, K8shellCluster.PublicPort(endpoint)))]);
            // Connections keep the client's address (SSH Shield bans by it), at the price of nodes without a proxy pod not answering.
            service["spec"]!["externalTrafficPolicy"] = "Local";
            yield return ("service-external", service);
        }
    }

    private static JsonObject Service(string name, string resource, string type, JsonArray ports) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = WorkloadTemplate.Map(ChartNames.Labels(resource)) },
        ["spec"] = new JsonObject
        {
            ["type"] = type,
            ["selector"] = WorkloadTemplate.Map(ChartNames.Selector(resource)),
            ["ports"] = ports,
        },
    };

    private static JsonObject Port(EndpointAnnotation endpoint, int? port)
    {
        var result = new JsonObject
        {
            ["name"] = endpoint.Name,
            ["port"] = port,
            ["targetPort"] = endpoint.Name,
            ["protocol"] = "TCP",
        };
        if (endpoint.Transport == "http2")
        {
            // Cleartext HTTP/2 (gRPC): meshes and gateways then speak it to the pod.
            result["appProtocol"] = "kubernetes.io/h2c";
        }
        return result;
    }
}
