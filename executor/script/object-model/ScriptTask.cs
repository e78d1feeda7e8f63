// Microsoft.SqlServer.Dts.Tasks.ScriptTask (the base class and entry-point attribute of ScriptMain),
// System.AddIn.AddInAttribute (2008 scripts), and System.Windows.Forms.MessageBox: a catalog execution
// is not interactive, so Show fails as it does under ISServerExec, unless the worker's setting turns it
// into an information message.
using System;
using System.Collections.Generic;
using Microsoft.SqlServer.Dts.Runtime;
using ScaleOut.ScriptHost;

namespace Microsoft.SqlServer.Dts.Tasks.ScriptTask
{
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class SSISScriptTaskEntryPointAttribute : Attribute { }

    public abstract class VSTARTScriptObjectModelBase
    {
        ScriptObjectModel dts;
        protected VSTARTScriptObjectModelBase() { dts = Host.CurrentModel; }
        public ScriptObjectModel Dts { get { return dts; } }
    }
}

namespace System.AddIn
{
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class AddInAttribute : Attribute
    {
        public AddInAttribute(string name) { Name = name; }
        public string Name { get; private set; }
        public string Version { get; set; }
        public string Publisher { get; set; }
        public string Description { get; set; }
    }
}

namespace System.Windows.Forms
{
    public enum DialogResult { None = 0, OK = 1, Cancel = 2, Abort = 3, Retry = 4, Ignore = 5, Yes = 6, No = 7 }
    public enum MessageBoxButtons { OK = 0, OKCancel = 1, AbortRetryIgnore = 2, YesNoCancel = 3, YesNo = 4, RetryCancel = 5 }
    public enum MessageBoxIcon { None = 0, Hand = 16, Stop = 16, Error = 16, Question = 32, Exclamation = 48, Warning = 48, Asterisk = 64, Information = 64 }
    public enum MessageBoxDefaultButton { Button1 = 0, Button2 = 256, Button3 = 512 }
    public enum MessageBoxOptions { DefaultDesktopOnly = 0x20000, RightAlign = 0x80000, RtlReading = 0x100000, ServiceNotification = 0x200000 }
    public interface IWin32Window { IntPtr Handle { get; } }

    public static class MessageBox
    {
        internal const string NotInteractive = "Showing a modal dialog box or form when the application is not running in UserInteractive mode is not a valid operation. Specify the ServiceNotification or DefaultDesktopOnly style to display a notification from a service application.";

        static DialogResult Show(string text, string caption, MessageBoxButtons buttons)
        {
            if (!Host.MessageBoxAsInformation) throw new InvalidOperationException(NotInteractive);
            HostChannel.Event("OnInformation", 0, "MessageBox", string.IsNullOrEmpty(caption) ? (text ?? "") : caption + ": " + (text ?? ""));
            return buttons == MessageBoxButtons.YesNo || buttons == MessageBoxButtons.YesNoCancel ? DialogResult.Yes : DialogResult.OK;
        }
        public static DialogResult Show(string text) { return Show(text, "", MessageBoxButtons.OK); }
        public static DialogResult Show(string text, string caption) { return Show(text, caption, MessageBoxButtons.OK); }
        public static DialogResult Show(string text, string caption, MessageBoxButtons buttons, MessageBoxIcon icon) { return Show(text, caption, buttons); }
        public static DialogResult Show(string text, string caption, MessageBoxButtons buttons, MessageBoxIcon icon, MessageBoxDefaultButton defaultButton) { return Show(text, caption, buttons); }
        public static DialogResult Show(string text, string caption, MessageBoxButtons buttons, MessageBoxIcon icon, MessageBoxDefaultButton defaultButton, MessageBoxOptions options) { return Show(text, caption, buttons); }
        public static DialogResult Show(IWin32Window owner, string text) { return Show(text, "", MessageBoxButtons.OK); }
        public static DialogResult Show(IWin32Window owner, string text, string caption) { return Show(text, caption, MessageBoxButtons.OK); }
        public static DialogResult Show(IWin32Window owner, string text, string caption, MessageBoxButtons buttons) { return Show(text, caption, buttons); }
        public static DialogResult Show(IWin32Window owner, string text, string caption, MessageBoxButtons buttons, MessageBoxIcon icon) { return Show(text, caption, buttons); }
    }
}
