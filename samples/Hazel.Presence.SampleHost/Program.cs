using Hazel.Presence.SampleHost;

var app = SampleHostApp.Build(new WebApplicationOptions { Args = args });
app.Run();
