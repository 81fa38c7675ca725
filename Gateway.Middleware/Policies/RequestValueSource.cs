namespace Gateway.Middleware.Policies;

/// <summary>Where in the request a value is read from.</summary>
internal enum RequestValueLocation
{
    Route,
    Query,
    Header,
    Form,
    Json,

    /// <summary>The body as its <c>Content-Type</c> says: a form field or a JSON property, as Django REST Framework reads <c>request.data</c>.</summary>
    Body,
}

/// <summary>
/// A parsed value source such as <c>Route:mobile</c>, <c>Query:phone</c>, <c>Header:X-Mobile</c>, <c>Form:mobile</c>,
/// <c>Json:user.phone</c> (a dotted path) or <c>Body:mobile</c> (form or JSON by content type).
/// </summary>
internal sealed record RequestValueSource(RequestValueLocation Location, string Name)
{
    public bool ReadsBody => Location is RequestValueLocation.Form or RequestValueLocation.Json or RequestValueLocation.Body;

    public override string ToString() => $"{Location}:{Name}";

    /// <summary>Parses <paramref name="text"/>; the error says what is wrong, or is null when it is valid.</summary>
    public static RequestValueSource? TryParse(string? text, out string? error)
    {
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1
            || !Enum.TryParse<RequestValueLocation>(text[..colon], ignoreCase: true, out var location)
            || !Enum.IsDefined(location) || char.IsDigit(text[0]))
        {
            error = "must be Route:<name>, Query:<name>, Header:<name>, Form:<field>, Json:<property.path> or Body:<field>";
            return null;
        }

        var name = text[(colon + 1)..];
        if (name.Any(char.IsWhiteSpace) || (location == RequestValueLocation.Json && name.Split('.').Any(string.IsNullOrEmpty)))
        {
            error = "names no valid field";
            return null;
        }

        error = null;
        return new RequestValueSource(location, name);
    }
}
