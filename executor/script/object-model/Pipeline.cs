// The Script Component's side of the object model: the base class the generated ComponentWrapper
// derives from (ScriptComponent), the buffers the generated BufferWrapper wraps (ScriptBuffer over
// PipelineBuffer, with typed getters/setters, IsNull/SetNull, AddRow, NextRow, EndOfRowset), variables
// (ReadOnlyVariables/ReadWriteVariables collections) and connections. Buffers hold rows in memory and are
// exchanged with the data flow in batches.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.SqlServer.Dts.Pipeline.Wrapper;
using Microsoft.SqlServer.Dts.Runtime.Wrapper;
using ScaleOut.ScriptHost;

namespace Microsoft.SqlServer.Dts.Runtime.Wrapper
{
    public interface IDTSVariable100
    {
        object Value { get; set; }
        string Name { get; }
        string QualifiedName { get; }
        object GetValueWithContext(object context);
    }

    public interface IDTSVariables100 : IEnumerable
    {
        IDTSVariable100 this[object index] { get; }
        int Count { get; }
        bool Locked { get; }
        void Unlock();
    }

    public interface IDTSConnectionManager100
    {
        string Name { get; set; }
        string ConnectionString { get; set; }
        object AcquireConnection(object pTransaction);
        void ReleaseConnection(object pConnection);
    }

    public interface IDTSVariableDispenser100
    {
        void LockForRead(string variable);
        void LockForWrite(string variable);
        void GetVariables(ref IDTSVariables100 ppVariables);
        void LockOneForRead(string variable, ref IDTSVariables100 ppVariables);
        void LockOneForWrite(string variable, ref IDTSVariables100 ppVariables);
    }

    public enum DataType
    {
        DT_EMPTY = 0, DT_NULL = 1, DT_I2 = 2, DT_I4 = 3, DT_R4 = 4, DT_R8 = 5, DT_CY = 6, DT_DATE = 7, DT_BOOL = 11,
        DT_DECIMAL = 14, DT_I1 = 16, DT_UI1 = 17, DT_UI2 = 18, DT_UI4 = 19, DT_I8 = 20, DT_UI8 = 21, DT_FILETIME = 64,
        DT_GUID = 72, DT_BYTES = 128, DT_STR = 129, DT_WSTR = 130, DT_NUMERIC = 131, DT_DBDATE = 133, DT_DBTIME = 134,
        DT_DBTIMESTAMP = 135, DT_DBTIME2 = 145, DT_DBTIMESTAMPOFFSET = 146, DT_DBTIMESTAMP2 = 304, DT_IMAGE = 301,
        DT_TEXT = 302, DT_NTEXT = 303,
    }
}

namespace Microsoft.SqlServer.Dts.Pipeline.Wrapper
{
    public interface IDTSComponentMetaData100
    {
        string Name { get; }
        int ID { get; }
        void FireInformation(int InformationCode, string SubComponent, string Description, string HelpFile, int HelpContext, ref bool FireAgain);
        void FireWarning(int WarningCode, string SubComponent, string Description, string HelpFile, int HelpContext);
        void FireError(int ErrorCode, string SubComponent, string Description, string HelpFile, int HelpContext, out bool pbCancel);
        void FireProgress(string ProgressDescription, int PercentComplete, int ProgressCountLow, int ProgressCountHigh, string SubComponent, ref bool FireAgain);
        void FireCustomEvent(string EventName, string EventText, ref object[] ppsaArguments, string SubComponent, ref bool pbFireAgain);
        string GetErrorDescription(int hrError);
        void IncrementPipelinePerfCounter(uint dwCounterID, uint dwDelta);
        void PostLogMessage(string bstrEventName, string bstrComputerName, string bstrOperatorName, string bstrSourceName, string bstrSourceGuid, string bstrExecutionGuid, string bstrMessageText, DateTime dateStartTime, DateTime dateEndTime, int lDataCode, ref byte[] ppsaDataBytes);
    }

    public enum DTSRowDisposition { RD_NotUsed = 0, RD_IgnoreFailure = 1, RD_RedirectRow = 2, RD_FailComponent = 3 }
}

namespace Microsoft.SqlServer.Dts.Pipeline
{
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class SSISScriptComponentEntryPointAttribute : Attribute { }

    public class ColumnInfo
    {
        public string Name; public int DataType; public int Length;
    }

    /// Output name → output ID, as the data flow assigned them.
    public class OutputNameMap
    {
        internal readonly Dictionary<string, int> ids = new Dictionary<string, int>(StringComparer.Ordinal);
        public void Add(string name, int id) { ids[name] = id; }
        public int GetOutputID(string name)
        {
            int id;
            if (!ids.TryGetValue(name, out id)) throw new ArgumentException("The output \"" + name + "\" is not part of this component.");
            return id;
        }
    }

    public sealed class BlobColumn
    {
        byte[] data = new byte[0];
        public bool IsNull { get; private set; }
        public uint Length { get { return (uint)data.Length; } }
        public byte[] GetBlobData(int offset, int count) { var r = new byte[count]; Array.Copy(data, offset, r, 0, count); return r; }
        public void AddBlobData(byte[] bytes) { var n = new byte[data.Length + bytes.Length]; data.CopyTo(n, 0); bytes.CopyTo(n, data.Length); data = n; IsNull = false; }
        public void AddBlobData(byte[] bytes, int count) { var b = new byte[count]; Array.Copy(bytes, b, count); AddBlobData(b); }
        public void ResetBlobData() { data = new byte[0]; }
        public void SetNull() { data = new byte[0]; IsNull = true; }
    }

    public enum PipelineBufferMode { Normal = 0, SplitLevel = 1 }

    /// A batch of rows in memory. Input buffers are read row by row with NextRow; output buffers grow
    /// with AddRow. Columns are addressed by their index in the buffer.
    public class PipelineBuffer
    {
        internal readonly List<object[]> rows = new List<object[]>();
        internal readonly int columnCount;
        readonly bool isOutput;
        int current = -1;
        bool endOfRowset;

        public PipelineBuffer(int columnCount, bool isOutput, bool endOfRowset)
        {
            this.columnCount = columnCount; this.isOutput = isOutput; this.endOfRowset = endOfRowset;
        }
        /// Output buffers hand full batches to the data flow while the script is still adding rows.
        internal Action<PipelineBuffer> Flush;
        internal int BatchSize = 10000;
        internal void Clear() { rows.Clear(); current = -1; }
        public void Load(IEnumerable<object[]> batch) { rows.AddRange(batch); }
        public IList<object[]> Rows { get { return rows; } }

        public int ColumnCount { get { return columnCount; } }
        public int RowCount { get { return rows.Count; } }
        public int CurrentRow { get { return current; } }
        public bool EndOfRowset { get { return endOfRowset; } }
        public PipelineBufferMode Mode { get { return PipelineBufferMode.Normal; } }

        public bool NextRow()
        {
            if (current + 1 >= rows.Count) return false;
            current++;
            return true;
        }
        public void AddRow()
        {
            if (!isOutput) throw new InvalidOperationException("Rows can only be added to an output buffer.");
            if (endOfRowset) throw new InvalidOperationException("Rows cannot be added after SetEndOfRowset.");
            if (Flush != null && rows.Count >= BatchSize) Flush(this);
            rows.Add(new object[columnCount]);
            current = rows.Count - 1;
        }
        public void SetEndOfRowset() { endOfRowset = true; }
        public void DirectRow(int outputID) { }
        public void DirectErrorRow(int outputID, int errorCode, int errorColumn) { }
        public void RemoveRow() { rows.RemoveAt(current); current--; }

        object[] Row()
        {
            if (current < 0 || current >= rows.Count) throw new InvalidOperationException("The buffer has no current row: call NextRow (input) or AddRow (output) first.");
            return rows[current];
        }
        public object this[int columnIndex]
        {
            get { return Row()[columnIndex]; }
            set { Row()[columnIndex] = value; }
        }
        public bool IsNull(int columnIndex) { var v = Row()[columnIndex]; return v == null || v is DBNull; }
        public void SetNull(int columnIndex) { Row()[columnIndex] = null; }

        T Get<T>(int i)
        {
            var v = Row()[i];
            if (v == null) throw new InvalidOperationException("The value is NULL: check IsNull before reading column " + i + ".");
            return v is T ? (T)v : (T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture);
        }
        public bool GetBoolean(int i) { return Get<bool>(i); }
        public byte GetByte(int i) { return Get<byte>(i); }
        public sbyte GetSByte(int i) { return Get<sbyte>(i); }
        public short GetInt16(int i) { return Get<short>(i); }
        public ushort GetUInt16(int i) { return Get<ushort>(i); }
        public int GetInt32(int i) { return Get<int>(i); }
        public uint GetUInt32(int i) { return Get<uint>(i); }
        public long GetInt64(int i) { return Get<long>(i); }
        public ulong GetUInt64(int i) { return Get<ulong>(i); }
        public float GetSingle(int i) { return Get<float>(i); }
        public double GetDouble(int i) { return Get<double>(i); }
        public decimal GetDecimal(int i) { return Get<decimal>(i); }
        public decimal GetNumeric(int i) { return Get<decimal>(i); }
        public decimal GetCurrency(int i) { return Get<decimal>(i); }
        public string GetString(int i) { return Get<string>(i); }
        public DateTime GetDateTime(int i) { return Get<DateTime>(i); }
        public DateTime GetDate(int i) { return Get<DateTime>(i); }
        public TimeSpan GetTime(int i) { return Get<TimeSpan>(i); }
        public DateTimeOffset GetDateTimeOffset(int i) { return Get<DateTimeOffset>(i); }
        public Guid GetGuid(int i) { return Get<Guid>(i); }
        public byte[] GetBytes(int i) { return Get<byte[]>(i); }
        public BlobColumn GetBlob(int i) { var b = Row()[i] as BlobColumn; if (b == null) { b = new BlobColumn(); Row()[i] = b; } return b; }
        public byte[] GetBlobData(int i, int offset, int count) { return GetBlob(i).GetBlobData(offset, count); }
        public uint GetBlobLength(int i) { return GetBlob(i).Length; }
        public void AddBlobData(int i, byte[] data) { GetBlob(i).AddBlobData(data); }
        public void ResetBlobData(int i) { GetBlob(i).ResetBlobData(); }

        public void SetBoolean(int i, bool v) { Row()[i] = v; }
        public void SetByte(int i, byte v) { Row()[i] = v; }
        public void SetSByte(int i, sbyte v) { Row()[i] = v; }
        public void SetInt16(int i, short v) { Row()[i] = v; }
        public void SetUInt16(int i, ushort v) { Row()[i] = v; }
        public void SetInt32(int i, int v) { Row()[i] = v; }
        public void SetUInt32(int i, uint v) { Row()[i] = v; }
        public void SetInt64(int i, long v) { Row()[i] = v; }
        public void SetUInt64(int i, ulong v) { Row()[i] = v; }
        public void SetSingle(int i, float v) { Row()[i] = v; }
        public void SetDouble(int i, double v) { Row()[i] = v; }
        public void SetDecimal(int i, decimal v) { Row()[i] = v; }
        public void SetCurrency(int i, decimal v) { Row()[i] = v; }
        public void SetString(int i, string v) { Row()[i] = v; }
        public void SetDateTime(int i, DateTime v) { Row()[i] = v; }
        public void SetDate(int i, DateTime v) { Row()[i] = v; }
        public void SetTime(int i, TimeSpan v) { Row()[i] = v; }
        public void SetDateTimeOffset(int i, DateTimeOffset v) { Row()[i] = v; }
        public void SetGuid(int i, Guid v) { Row()[i] = v; }
        public void SetBytes(int i, byte[] v) { Row()[i] = v; }
    }

    /// The base of generated `<Name>Buffer` classes: column access through the buffer column indexes.
    public class ScriptBuffer
    {
        protected PipelineBuffer Buffer;
        protected int[] BufferColumnIndexes;
        protected OutputNameMap OutputMap;

        public ScriptBuffer(PipelineBuffer buffer, int[] bufferColumnIndexes, OutputNameMap outputMap)
        {
            Buffer = buffer; BufferColumnIndexes = bufferColumnIndexes; OutputMap = outputMap;
        }

        protected object this[int columnIndex]
        {
            get { return Buffer[BufferColumnIndexes[columnIndex]]; }
            set { Buffer[BufferColumnIndexes[columnIndex]] = value; }
        }
        protected bool IsNull(int columnIndex) { return Buffer.IsNull(BufferColumnIndexes[columnIndex]); }
        protected void SetNull(int columnIndex) { Buffer.SetNull(BufferColumnIndexes[columnIndex]); }
        protected BlobColumn GetBlob(int columnIndex) { return Buffer.GetBlob(BufferColumnIndexes[columnIndex]); }
        protected void AddRow() { Buffer.AddRow(); }
        protected bool NextRow() { return Buffer.NextRow(); }
        protected bool EndOfRowset() { return Buffer.EndOfRowset; }
        protected void SetEndOfRowset() { Buffer.SetEndOfRowset(); }
        protected void DirectRow(string outputName) { Buffer.DirectRow(OutputMap.GetOutputID(outputName)); }
        protected void DirectErrorRow(string outputName, int errorCode, int errorColumn) { Buffer.DirectErrorRow(OutputMap.GetOutputID(outputName), errorCode, errorColumn); }
    }

    sealed class ComponentVariable : IDTSVariable100
    {
        readonly Microsoft.SqlServer.Dts.Runtime.Variable v;
        internal ComponentVariable(Microsoft.SqlServer.Dts.Runtime.Variable v) { this.v = v; }
        public object Value { get { return v.Value; } set { v.Value = value; } }
        public string Name { get { return v.Name; } }
        public string QualifiedName { get { return v.QualifiedName; } }
        public object GetValueWithContext(object context) { return v.Value; }
    }

    sealed class ComponentVariables : IDTSVariables100
    {
        readonly Microsoft.SqlServer.Dts.Runtime.Variables vs;
        internal ComponentVariables(Microsoft.SqlServer.Dts.Runtime.Variables vs) { this.vs = vs; }
        public IDTSVariable100 this[object index] { get { return new ComponentVariable(vs[index]); } }
        public int Count { get { return vs.Count; } }
        public bool Locked { get { return vs.Locked; } }
        public void Unlock() { vs.Unlock(); }
        public IEnumerator GetEnumerator() { foreach (Microsoft.SqlServer.Dts.Runtime.Variable v in vs) yield return new ComponentVariable(v); }
    }

    sealed class ComponentConnection : IDTSConnectionManager100
    {
        readonly Microsoft.SqlServer.Dts.Runtime.ConnectionManager cm;
        internal ComponentConnection(Microsoft.SqlServer.Dts.Runtime.ConnectionManager cm) { this.cm = cm; }
        public string Name { get { return cm.Name; } set { cm.Name = value; } }
        public string ConnectionString { get { return cm.ConnectionString; } set { cm.ConnectionString = value; } }
        public object AcquireConnection(object t) { return cm.AcquireConnection(t); }
        public void ReleaseConnection(object c) { cm.ReleaseConnection(c); }
    }

    public sealed class ComponentConnections
    {
        readonly Microsoft.SqlServer.Dts.Runtime.Connections cs;
        internal ComponentConnections(Microsoft.SqlServer.Dts.Runtime.Connections cs) { this.cs = cs; }
        public IDTSConnectionManager100 this[object index] { get { return new ComponentConnection(cs[index]); } }
    }

    sealed class ComponentMetaData : IDTSComponentMetaData100
    {
        public string Name { get; set; }
        public int ID { get; set; }
        public void FireInformation(int code, string sub, string description, string helpFile, int helpContext, ref bool fireAgain) { HostChannel.Event("OnInformation", code, sub, description); }
        public void FireWarning(int code, string sub, string description, string helpFile, int helpContext) { HostChannel.Event("OnWarning", code, sub, description); }
        public void FireError(int code, string sub, string description, string helpFile, int helpContext, out bool cancel) { HostChannel.Event("OnError", code, sub, description); cancel = false; }
        public void FireProgress(string description, int percent, int low, int high, string sub, ref bool fireAgain) { HostChannel.Event("OnProgress", percent, sub, description); }
        public void FireCustomEvent(string name, string text, ref object[] args, string sub, ref bool fireAgain)
        {
            HostChannel.Send(new Dictionary<string, object> { { "t", "custom" }, { "name", name }, { "sub", sub }, { "text", text } });
        }
        public string GetErrorDescription(int hr) { return "Error 0x" + hr.ToString("X8"); }
        public void IncrementPipelinePerfCounter(uint id, uint delta) { }
        public void PostLogMessage(string eventName, string computer, string op, string source, string sourceGuid, string executionGuid, string text, DateTime start, DateTime end, int code, ref byte[] bytes)
        {
            HostChannel.Send(new Dictionary<string, object> { { "t", "log" }, { "code", code }, { "text", text ?? "" } });
        }
    }

    /// The base class of the generated UserComponent.
    public class ScriptComponent
    {
        public static object EvaluatorContext { get { return null; } }
        readonly Dictionary<int, int[]> columnIndexes = new Dictionary<int, int[]>();
        Microsoft.SqlServer.Dts.Runtime.Variables readOnly, readWrite;

        public ScriptComponent()
        {
            ComponentMetaData = new ComponentMetaData { Name = "Script Component" };
        }

        /// Wiring done by the host before PreExecute.
        public void Bind(Microsoft.SqlServer.Dts.Runtime.Variables ro, Microsoft.SqlServer.Dts.Runtime.Variables rw, Microsoft.SqlServer.Dts.Runtime.Connections connections, string name)
        {
            readOnly = ro; readWrite = rw;
            Connections = new ComponentConnections(connections);
            ((ComponentMetaData)ComponentMetaData).Name = name;
        }
        public void SetColumnIndexes(int inputOrOutputId, int[] indexes) { columnIndexes[inputOrOutputId] = indexes; }

        public IDTSComponentMetaData100 ComponentMetaData { get; private set; }
        public ComponentConnections Connections { get; private set; }
        public IDTSVariables100 ReadOnlyVariables { get { return new ComponentVariables(readOnly ?? new Microsoft.SqlServer.Dts.Runtime.Variables()); } }
        public IDTSVariables100 ReadWriteVariables { get { return new ComponentVariables(readWrite ?? new Microsoft.SqlServer.Dts.Runtime.Variables()); } }
        public IDTSVariableDispenser100 VariableDispenser { get { return null; } }

        public virtual void AcquireConnections(object Transaction) { }
        public virtual void ReleaseConnections() { }
        public virtual void PreExecute() { }
        public virtual void PostExecute() { }
        public virtual void PrimeOutput(int Outputs, int[] OutputIDs, PipelineBuffer[] Buffers, OutputNameMap OutputMap) { PrimeOutput(Outputs, OutputIDs, Buffers); }
        public virtual void PrimeOutput(int Outputs, int[] OutputIDs, PipelineBuffer[] Buffers) { }
        public virtual void ProcessInput(int InputID, string InputName, PipelineBuffer Buffer, OutputNameMap OutputMap) { ProcessInput(InputID, Buffer); }
        public virtual void ProcessInput(int InputID, PipelineBuffer Buffer) { }
        public virtual void FinishOutputs() { }

        public int[] GetColumnIndexes(int ID)
        {
            int[] r;
            if (!columnIndexes.TryGetValue(ID, out r)) throw new ArgumentException("No buffer columns are known for input/output " + ID + ".");
            return r;
        }
        public int GetOutputID(OutputNameMap OutputMap, string OutputName) { return OutputMap.GetOutputID(OutputName); }
    }
}
