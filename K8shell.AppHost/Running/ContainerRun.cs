namespace K8shell.AppHost.Running;

/// <summary>
/// A container through the engine's client, attached so its output is the resource's log:
/// <c>docker|podman run --rm --name k8shell-&lt;resource&gt;-&lt;random&gt; -p 127.0.0.1:&lt;port&gt;:&lt;target&gt; -e NAME -v VOLUME:TARGET image:tag args</c>,
/// stopped with <c>docker|podman stop</c> (the run process then exits, and <c>--rm</c> removes the container).
/// </summary>
internal static class ContainerRun
{
    /// <summary>What the engine's stop gives the container before it kills it, as the local run's grace period.</summary>
    public const int StopSeconds = 10;

    /// <summary>A named volume's name on the engine: prefixed, so K8shell's volumes are told apart from others.</summary>
    public static string VolumeName(ContainerVolumeAnnotation volume) => $"k8shell-{volume.Name}";

    /// <summary>The port the container listens on: the endpoint's target port, else its port.</summary>
    public static int ContainerPort(EndpointAnnotation endpoint) => endpoint.TargetPort ?? endpoint.Port ?? endpoint.Allocated!.Port;

    public static (IReadOnlyList<string> Run, IReadOnlyList<string> Stop) Command(
        ContainerResource container, IEnumerable<string> environmentNames, IEnumerable<string> args)
    {
        // Random: a container left by an AppHost that was killed (no chance to stop it) never blocks the next run's name.
        var name = $"k8shell-{container.Name}-{Guid.NewGuid().ToString("N")[..8]}";
        var run = new List<string> { "run", "--rm", "--name", name };
        foreach (var endpoint in container.Annotations.OfType<EndpointAnnotation>())
        {
            // Loopback only, as the local processes listen.
            run.AddRange(["-p", $"{endpoint.Allocated!.Host}:{endpoint.Allocated.Port}:{ContainerPort(endpoint)}"]);
        }
        foreach (var variable in environmentNames)
        {
            // The name only: the client takes the value from its own environment, so no secret shows in `ps`.
            run.AddRange(["-e", variable]);
        }
        foreach (var volume in container.Annotations.OfType<ContainerVolumeAnnotation>())
        {
            run.AddRange(["-v", $"{VolumeName(volume)}:{volume.Target}{(volume.ReadOnly ? ":ro" : "")}"]);
        }
        run.Add(container.ImageReference);
        run.AddRange(args);
        return (run, ["stop", "-t", StopSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), name]);
    }
}
