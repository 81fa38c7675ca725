namespace Gateway;

/// <summary>Tags that sort health checks between the gateway's endpoints.</summary>
internal static class HealthTags
{
    /// <summary>Checks that <c>/readyz</c> runs; <c>/healthz</c> runs none (the process answers, so it is alive).</summary>
    public const string Ready = "ready";
}
