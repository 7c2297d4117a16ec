/*
 * What the analyzer knows about Python's library: which qualified names
 * are capabilities (a rule), which run or send their arguments (flows),
 * which return tainted data, and the word lists behind the secret and
 * obfuscation rules. Pure data and lookups.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "vet/vet_priv.h"

#define R(x) GW_VET_R_##x
#define NO   -1

#define S_CODE	GW_VET_SINK_CODE
#define S_PROC	GW_VET_SINK_PROC
#define S_DESER GW_VET_SINK_DESER
#define S_NET	GW_VET_SINK_NET
#define S_PEER	(GW_VET_SINK_NET | GW_VET_SINK_ENDPOINT)

#define T_DEC  GW_VET_T_DECODED
#define T_NET  GW_VET_T_NET
#define T_SEC  GW_VET_T_SECRET
#define T_HOST GW_VET_T_HOST

/* Kept sorted by sort_table() on first use, so order here is free. */
static struct gw_vet_sink table[] = {
	/* The shell. */
	{ "os.system", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "os.popen", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "os.popen2", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "os.popen3", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "os.popen4", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "commands.getoutput", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "commands.getstatusoutput", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "subprocess.getoutput", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "subprocess.getstatusoutput", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "platform.popen", R(PROC_SHELL), CHK_NONE, S_PROC, 0 },
	{ "asyncio.create_subprocess_shell", R(PROC_SHELL), CHK_NONE, S_PROC,
	  0 },
	/* Programs started by subprocess. */
	{ "subprocess.Popen", R(PROC_SPAWN), CHK_SUBPROCESS, S_PROC, 0 },
	{ "subprocess.run", R(PROC_SPAWN), CHK_SUBPROCESS, S_PROC, 0 },
	{ "subprocess.call", R(PROC_SPAWN), CHK_SUBPROCESS, S_PROC, 0 },
	{ "subprocess.check_call", R(PROC_SPAWN), CHK_SUBPROCESS, S_PROC, 0 },
	{ "subprocess.check_output", R(PROC_SPAWN), CHK_SUBPROCESS, S_PROC, 0 },
	{ "asyncio.create_subprocess_exec", R(PROC_SPAWN), CHK_NONE, S_PROC,
	  0 },
	/* The process image replaced, or a program spawned by path. */
	{ "os.execl", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execle", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execlp", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execlpe", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execv", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execve", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execvp", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.execvpe", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnl", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnle", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnlp", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnlpe", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnv", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnve", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnvp", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.spawnvpe", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.posix_spawn", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.posix_spawnp", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "os.startfile", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "pty.spawn", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	{ "_posixsubprocess.fork_exec", R(PROC_REPLACE), CHK_NONE, S_PROC, 0 },
	/* Text run as code. */
	{ "builtins.exec", R(EXEC_CODE), CHK_CODE, S_CODE, 0 },
	{ "builtins.eval", R(EXEC_CODE), CHK_CODE, S_CODE, 0 },
	{ "builtins.compile", R(EXEC_CODE), CHK_CODE, S_CODE, 0 },
	{ "builtins.execfile", R(EXEC_CODE), CHK_NONE, S_CODE, 0 },
	{ "types.CodeType", R(EXEC_CODE), CHK_NONE, S_CODE, 0 },
	{ "types.FunctionType", R(EXEC_CODE), CHK_NONE, S_CODE, 0 },
	/* Imports by computed name, code loaded from a path. */
	{ "builtins.__import__", R(EXEC_IMPORT), CHK_IMPORT, S_CODE, 0 },
	{ "importlib.import_module", R(EXEC_IMPORT), CHK_IMPORT, S_CODE, 0 },
	{ "importlib.__import__", R(EXEC_IMPORT), CHK_IMPORT, S_CODE, 0 },
	{ "imp.load_source", R(EXEC_IMPORT), CHK_NONE, S_CODE, 0 },
	{ "imp.load_module", R(EXEC_IMPORT), CHK_NONE, S_CODE, 0 },
	{ "imp.load_compiled", R(EXEC_IMPORT), CHK_NONE, S_CODE, 0 },
	{ "imp.load_dynamic", R(EXEC_IMPORT), CHK_NONE, S_CODE, 0 },
	{ "importlib.machinery.SourceFileLoader", R(EXEC_IMPORT), CHK_NONE,
	  S_CODE, 0 },
	{ "importlib.machinery.SourcelessFileLoader", R(EXEC_IMPORT), CHK_NONE,
	  S_CODE, 0 },
	{ "importlib.machinery.ExtensionFileLoader", R(EXEC_IMPORT), CHK_NONE,
	  S_CODE, 0 },
	{ "importlib.util.spec_from_file_location", R(EXEC_IMPORT), CHK_NONE,
	  S_CODE, 0 },
	{ "zipimport.zipimporter", R(EXEC_IMPORT), CHK_NONE, S_CODE, 0 },
	/* Whole scripts and modules run. */
	{ "runpy.run_path", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	{ "runpy.run_module", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	{ "code.interact", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	{ "code.InteractiveConsole", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	{ "code.InteractiveInterpreter", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	{ "code.compile_command", R(EXEC_RUN), CHK_NONE, S_CODE, 0 },
	/* Pickles under many names. */
	{ "pickle.load", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "pickle.loads", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "pickle.Unpickler", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "pickle._load", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "pickle._loads", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "dill.load", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "dill.loads", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "dill.Unpickler", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "cloudpickle.load", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "cloudpickle.loads", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "joblib.load", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "shelve.open", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "shelve.DbfilenameShelf", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "pandas.read_pickle", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "jsonpickle.decode", R(DESER_PICKLE), CHK_NONE, S_DESER, 0 },
	{ "marshal.load", R(DESER_MARSHAL), CHK_NONE, S_DESER, T_DEC },
	{ "marshal.loads", R(DESER_MARSHAL), CHK_NONE, S_DESER, T_DEC },
	{ "yaml.load", R(DESER_YAML), CHK_YAML, S_DESER, 0 },
	{ "yaml.load_all", R(DESER_YAML), CHK_YAML, S_DESER, 0 },
	{ "yaml.unsafe_load", R(DESER_YAML), CHK_NONE, S_DESER, 0 },
	{ "yaml.unsafe_load_all", R(DESER_YAML), CHK_NONE, S_DESER, 0 },
	{ "torch.load", R(DESER_TORCH), CHK_TORCH, S_DESER, 0 },
	{ "numpy.load", R(DESER_NUMPY), CHK_NUMPY, S_DESER, 0 },
	/* Sockets; their methods send and receive. */
	{ "socket.socket", R(NET_SOCKET), CHK_NONE, S_PEER, 0 },
	{ "socket.create_connection", R(NET_SOCKET), CHK_NONE, S_PEER, 0 },
	{ "socket.create_server", R(NET_SOCKET), CHK_NONE, S_PEER, 0 },
	{ "socket.fromfd", R(NET_SOCKET), CHK_NONE, 0, 0 },
	{ "asyncio.open_connection", R(NET_SOCKET), CHK_NONE, S_PEER, T_NET },
	{ "asyncio.start_server", R(NET_SOCKET), CHK_NONE, S_PEER, 0 },
	{ "socket.socket().*", NO, CHK_NONE, S_NET, T_NET },
	{ "socket.socket().connect", NO, CHK_NONE, S_PEER, 0 },
	{ "socket.socket().connect_ex", NO, CHK_NONE, S_PEER, 0 },
	{ "socket.socket().bind", NO, CHK_NONE, S_PEER, 0 },
	{ "socket.create_connection().*", NO, CHK_NONE, S_NET, T_NET },
	/* HTTP clients: the response is network data. */
	{ "urllib.request.urlopen", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib.request.urlretrieve", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib.request.build_opener", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "urllib.request.build_opener().*", NO, CHK_NONE, S_NET, T_NET },
	{ "urllib.urlopen", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib.urlretrieve", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib2.urlopen", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib2.build_opener", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "urllib3.PoolManager", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "urllib3.PoolManager().*", NO, CHK_NONE, S_NET, T_NET },
	{ "urllib3.request", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "urllib3.HTTPConnectionPool", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "urllib3.HTTPSConnectionPool", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "urllib3.connection_from_url", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "requests.get", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.post", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.put", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.patch", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.delete", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.head", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.options", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.request", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "requests.Session", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "requests.session", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "requests.Session().*", NO, CHK_NONE, S_NET, T_NET },
	{ "requests.session().*", NO, CHK_NONE, S_NET, T_NET },
	{ "httpx.get", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.post", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.put", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.patch", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.delete", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.head", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.options", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.request", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.stream", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "httpx.Client", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "httpx.AsyncClient", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "httpx.Client().*", NO, CHK_NONE, S_NET, T_NET },
	{ "httpx.AsyncClient().*", NO, CHK_NONE, S_NET, T_NET },
	{ "aiohttp.ClientSession", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "aiohttp.ClientSession().*", NO, CHK_NONE, S_NET, T_NET },
	{ "aiohttp.request", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	{ "http.client.HTTPConnection", R(NET_HTTP), CHK_NONE, S_PEER, 0 },
	{ "http.client.HTTPSConnection", R(NET_HTTP), CHK_NONE, S_PEER, 0 },
	{ "http.client.HTTPConnection().*", NO, CHK_NONE, S_NET, T_NET },
	{ "http.client.HTTPSConnection().*", NO, CHK_NONE, S_NET, T_NET },
	{ "httplib.HTTPConnection", R(NET_HTTP), CHK_NONE, S_PEER, 0 },
	{ "httplib.HTTPSConnection", R(NET_HTTP), CHK_NONE, S_PEER, 0 },
	{ "pycurl.Curl", R(NET_HTTP), CHK_NONE, 0, 0 },
	{ "wget.download", R(NET_HTTP), CHK_NONE, S_NET, T_NET },
	/* Other protocols and servers. */
	{ "ftplib.FTP", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "ftplib.FTP_TLS", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "ftplib.FTP().*", NO, CHK_NONE, S_NET, T_NET },
	{ "ftplib.FTP_TLS().*", NO, CHK_NONE, S_NET, T_NET },
	{ "smtplib.SMTP", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "smtplib.SMTP_SSL", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "smtplib.LMTP", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "smtplib.SMTP().*", NO, CHK_NONE, S_NET, 0 },
	{ "smtplib.SMTP_SSL().*", NO, CHK_NONE, S_NET, 0 },
	{ "telnetlib.Telnet", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "telnetlib.Telnet().*", NO, CHK_NONE, S_NET, T_NET },
	{ "poplib.POP3", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "poplib.POP3_SSL", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "imaplib.IMAP4", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "imaplib.IMAP4_SSL", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "nntplib.NNTP", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "paramiko.SSHClient", R(NET_PROTO), CHK_NONE, 0, 0 },
	{ "paramiko.SSHClient().*", NO, CHK_NONE, S_NET, T_NET },
	{ "paramiko.Transport", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "xmlrpc.client.ServerProxy", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "xmlrpclib.ServerProxy", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "websocket.create_connection", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "websocket.WebSocketApp", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "websockets.connect", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "socketserver.TCPServer", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "socketserver.UDPServer", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "socketserver.ThreadingTCPServer", R(NET_PROTO), CHK_NONE, S_PEER,
	  0 },
	{ "SocketServer.TCPServer", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "http.server.HTTPServer", R(NET_PROTO), CHK_NONE, S_PEER, 0 },
	{ "http.server.ThreadingHTTPServer", R(NET_PROTO), CHK_NONE, S_PEER,
	  0 },
	/* Name resolution. */
	{ "socket.gethostbyname", R(NET_DNS), CHK_NONE, S_PEER, 0 },
	{ "socket.gethostbyname_ex", R(NET_DNS), CHK_NONE, S_PEER, 0 },
	{ "socket.gethostbyaddr", R(NET_DNS), CHK_NONE, S_PEER, 0 },
	{ "socket.getaddrinfo", R(NET_DNS), CHK_NONE, S_PEER, 0 },
	{ "socket.getnameinfo", R(NET_DNS), CHK_NONE, S_PEER, 0 },
	{ "dns.resolver.resolve", R(NET_DNS), CHK_NONE, S_PEER, T_NET },
	{ "dns.resolver.query", R(NET_DNS), CHK_NONE, S_PEER, T_NET },
	{ "dns.resolver.Resolver", R(NET_DNS), CHK_NONE, 0, 0 },
	{ "dns.resolver.Resolver().*", NO, CHK_NONE, S_PEER, T_NET },
	/* Credential stores. */
	{ "keyring.get_password", R(SECRET_STORE), CHK_NONE, 0, T_SEC },
	{ "keyring.get_credential", R(SECRET_STORE), CHK_NONE, 0, T_SEC },
	{ "keyring.get_keyring", R(SECRET_STORE), CHK_NONE, 0, T_SEC },
	{ "secretstorage.*", R(SECRET_STORE), CHK_NONE, 0, T_SEC },
	{ "browser_cookie3.*", R(SECRET_STORE), CHK_NONE, 0, T_SEC },
	{ "win32crypt.CryptUnprotectData", R(SECRET_STORE), CHK_NONE, 0,
	  T_SEC },
	/* Environment variables by name. */
	{ "os.getenv", NO, CHK_GETENV, 0, 0 },
	{ "os.getenvb", NO, CHK_GETENV, 0, 0 },
	{ "os.environ.get", NO, CHK_GETENV, 0, 0 },
	{ "os.environ.pop", NO, CHK_GETENV, 0, 0 },
	{ "os.environ.setdefault", NO, CHK_GETENV, 0, 0 },
	/* Who and where. */
	{ "getpass.getuser", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "os.getlogin", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "os.uname", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "platform.node", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "platform.uname", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "socket.gethostname", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "socket.getfqdn", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "uuid.getnode", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "uuid.uuid1", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	{ "pwd.getpwuid", R(SECRET_HOST), CHK_NONE, 0, T_HOST },
	/* Files. */
	{ "builtins.open", NO, CHK_OPEN, 0, 0 },
	{ "io.open", NO, CHK_OPEN, 0, 0 },
	{ "codecs.open", NO, CHK_OPEN, 0, 0 },
	{ "pathlib.Path().write_text", R(FS_WRITE), CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().write_bytes", R(FS_WRITE), CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().read_text", NO, CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().read_bytes", NO, CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().unlink", R(FS_MODIFY), CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().chmod", R(FS_MODIFY), CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().rename", R(FS_MODIFY), CHK_PATH_WRITE, 0, 0 },
	{ "pathlib.Path().replace", R(FS_MODIFY), CHK_PATH_WRITE, 0, 0 },
	{ "os.remove", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.unlink", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.rmdir", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.removedirs", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.rename", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.renames", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.replace", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.chmod", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.lchmod", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.chown", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.lchown", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.link", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.symlink", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "os.truncate", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.move", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.copy", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.copy2", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.copyfile", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.chown", R(FS_MODIFY), CHK_ABS_PATH, 0, 0 },
	{ "shutil.rmtree", R(FS_RMTREE), CHK_RMTREE, 0, 0 },
	/* Native code. */
	{ "ctypes.CDLL", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.PyDLL", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.WinDLL", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.OleDLL", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.LibraryLoader", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.cdll.*", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.pydll.*", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.windll.*", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.oledll.*", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "_ctypes.dlopen", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "cffi.FFI().dlopen", R(NATIVE_LOAD), CHK_NONE, 0, 0 },
	{ "ctypes.memmove", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	{ "ctypes.memset", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	{ "ctypes.string_at", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	{ "ctypes.wstring_at", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	{ "ctypes.cast", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	{ "ctypes.pythonapi.*", R(NATIVE_MEMORY), CHK_NONE, 0, 0 },
	/* setup(): cmdclass is checked. */
	{ "setuptools.setup", NO, CHK_SETUP, 0, 0 },
	{ "distutils.core.setup", NO, CHK_SETUP, 0, 0 },
	/* Decoders: what they return is decoded data. */
	{ "base64.b64decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.b32decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.b16decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.a85decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.b85decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.urlsafe_b64decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.standard_b64decode", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.decodebytes", NO, CHK_DECODER, 0, T_DEC },
	{ "base64.decodestring", NO, CHK_DECODER, 0, T_DEC },
	{ "binascii.unhexlify", NO, CHK_DECODER, 0, T_DEC },
	{ "binascii.a2b_hex", NO, CHK_DECODER, 0, T_DEC },
	{ "binascii.a2b_base64", NO, CHK_DECODER, 0, T_DEC },
	{ "binascii.a2b_uu", NO, CHK_DECODER, 0, T_DEC },
	{ "builtins.bytes.fromhex", NO, CHK_DECODER, 0, T_DEC },
	{ "builtins.bytearray.fromhex", NO, CHK_DECODER, 0, T_DEC },
	{ "zlib.decompress", NO, CHK_DECODER, 0, T_DEC },
	{ "bz2.decompress", NO, CHK_DECODER, 0, T_DEC },
	{ "lzma.decompress", NO, CHK_DECODER, 0, T_DEC },
	{ "gzip.decompress", NO, CHK_DECODER, 0, T_DEC },
	{ "codecs.decode", NO, CHK_CODECS, 0, 0 },
	{ "builtins.chr", NO, CHK_DECODER, 0, T_DEC },
};

#define N_TABLE (sizeof(table) / sizeof(table[0]))

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct gw_vet_sink *)a)->name,
		      ((const struct gw_vet_sink *)b)->name);
}

static void sort_table(void)
{
	static bool sorted;

	if (!sorted) {
		qsort(table, N_TABLE, sizeof(table[0]), by_name);
		sorted = true;
	}
}

static const struct gw_vet_sink *lookup(const char *name, size_t len)
{
	size_t lo = 0, hi = N_TABLE;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(table[mid].name, name, len);

		if (c == 0 && table[mid].name[len] != '\0')
			c = 1;
		if (c == 0)
			return &table[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct gw_vet_sink *gw_vet_sink_find(const char *qname, size_t len)
{
	const struct gw_vet_sink *s;
	char buf[GW_VET_QNAME_MAX_BYTES];

	sort_table();
	if ((s = lookup(qname, len)))
		return s;
	if (len + 2 >= sizeof(buf))
		return NULL;
	/* "a.b.c" -> "a.b.*" -> "a.*" */
	memcpy(buf, qname, len);
	for (size_t i = len; i-- > 0;) {
		if (buf[i] != '.')
			continue;
		buf[i + 1] = '*';
		if ((s = lookup(buf, i + 2)))
			return s;
	}
	return NULL;
}

const char *gw_vet_module_alias(const char *name, size_t len, size_t *used)
{
	static const struct {
		const char *from, *to;
	} aliases[] = {
		{ "cPickle", "pickle" },
		{ "_pickle", "pickle" },
		{ "__builtin__", "builtins" },
		{ "__builtins__", "builtins" },
		{ "posix", "os" },
		{ "nt", "os" },
		{ "_socket", "socket" },
		{ "subprocess32", "subprocess" },
		{ "posixpath", "os.path" },
		{ "ntpath", "os.path" },
		{ "_io", "io" },
		{ "cloudpickle.cloudpickle", "cloudpickle" },
		{ "numpy.lib.npyio", "numpy" },
	};

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		size_t n = strlen(aliases[i].from);

		if (len >= n && memcmp(name, aliases[i].from, n) == 0 &&
		    (len == n || name[n] == '.')) {
			*used = n;
			return aliases[i].to;
		}
	}
	*used = 0;
	return NULL;
}

static bool in_list(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && memcmp(*list, name, len) == 0)
			return true;
	return false;
}

bool gw_vet_is_builtin(const char *name, size_t len)
{
	static const char *const names[] = {
		"abs",	      "all",	   "any",	   "ascii",
		"bin",	      "bool",	   "breakpoint",   "bytearray",
		"bytes",      "callable",  "chr",	   "classmethod",
		"compile",    "complex",   "delattr",	   "dict",
		"dir",	      "divmod",	   "enumerate",	   "eval",
		"exec",	      "exit",	   "filter",	   "float",
		"format",     "frozenset", "getattr",	   "globals",
		"hasattr",    "hash",	   "help",	   "hex",
		"id",	      "input",	   "int",	   "isinstance",
		"issubclass", "iter",	   "len",	   "list",
		"locals",     "map",	   "max",	   "memoryview",
		"min",	      "next",	   "object",	   "oct",
		"open",	      "ord",	   "pow",	   "print",
		"property",   "quit",	   "range",	   "repr",
		"reversed",   "round",	   "set",	   "setattr",
		"slice",      "sorted",	   "staticmethod", "str",
		"sum",	      "super",	   "tuple",	   "type",
		"vars",	      "zip",	   "__import__",   "__build_class__",
		"execfile",   "reload",	   "unicode",	   "raw_input",
		"basestring", "long",	   "file",	   "apply",
		NULL,
	};

	return in_list(names, name, len);
}

bool gw_vet_is_dangerous_name(const char *name, size_t len)
{
	static const char *const names[] = {
		"exec",		"eval",		"compile",     "execfile",
		"__import__",	"system",	"popen",       "Popen",
		"spawn",	"subprocess",	"posix",       "socket",
		"pickle",	"marshal",	"b64decode",   "import_module",
		"urlopen",	"ctypes",	"CDLL",	       "pty",
		"builtins",	"__builtins__", "__builtin__", "getoutput",
		"check_output", "run_path",	"os.system",   "os.popen",
		"globals",	"getattr",	"requests",    "loads",
		NULL,
	};

	return in_list(names, name, len);
}

static bool has_word(const char *name, size_t len, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= len; i++) {
		bool ok = true;

		if (i > 0 && name[i - 1] != '_')
			continue;
		if (i + w < len && name[i + w] != '_')
			continue;
		for (size_t k = 0; k < w && ok; k++)
			ok = (name[i + k] & ~0x20) == word[k];
		if (ok)
			return true;
	}
	return false;
}

static bool has_sub(const char *name, size_t len, const char *sub)
{
	size_t w = strlen(sub);

	for (size_t i = 0; i + w <= len; i++) {
		bool ok = true;

		for (size_t k = 0; k < w && ok; k++)
			ok = (name[i + k] & ~0x20) == sub[k];
		if (ok)
			return true;
	}
	return false;
}

bool gw_vet_is_secret_var(const char *name, size_t len)
{
	static const char *const subs[] = { "TOKEN",	  "SECRET", "PASSWORD",
					    "PASSWD",	  "APIKEY", "ACCESSKEY",
					    "CREDENTIAL", NULL };
	static const char *const words[] = { "PASS",	"PWD",	  "KEY",
					     "AUTH",	"COOKIE", "PRIVATE",
					     "SESSION", NULL };

	for (size_t i = 0; subs[i]; i++)
		if (has_sub(name, len, subs[i]))
			return true;
	for (size_t i = 0; words[i]; i++)
		if (has_word(name, len, words[i]))
			return true;
	return false;
}

const char *gw_vet_secret_path(const char *path, size_t len)
{
	static const struct {
		const char *needle;
		const char *label;
	} paths[] = {
		{ ".ssh", "SSH keys" },
		{ "id_rsa", "an SSH private key" },
		{ "id_ed25519", "an SSH private key" },
		{ "id_ecdsa", "an SSH private key" },
		{ "id_dsa", "an SSH private key" },
		{ ".aws/credentials", "AWS credentials" },
		{ ".aws", "AWS credentials" },
		{ ".netrc", "the .netrc password file" },
		{ ".docker/config.json", "Docker registry credentials" },
		{ ".git-credentials", "git credentials" },
		{ ".pypirc", "PyPI upload tokens" },
		{ ".kube/config", "Kubernetes credentials" },
		{ ".config/gcloud", "Google Cloud credentials" },
		{ ".azure", "Azure credentials" },
		{ ".gnupg", "GnuPG keys" },
		{ ".local/share/keyrings", "the desktop keyring" },
		{ ".password-store", "a password store" },
		{ "/etc/shadow", "the system password hashes" },
		{ "/etc/gshadow", "the system password hashes" },
		{ "/etc/passwd", "the system account list" },
		{ "/etc/sudoers", "the sudo rules" },
		{ ".bash_history", "shell history" },
		{ ".zsh_history", "shell history" },
		{ ".mozilla/firefox", "a Firefox profile" },
		{ "google-chrome", "a Chrome profile" },
		{ "Google/Chrome", "a Chrome profile" },
		{ "chromium/Default", "a Chromium profile" },
		{ "BraveSoftware", "a Brave profile" },
		{ "Microsoft/Edge", "an Edge profile" },
		{ "Login Data", "saved browser passwords" },
		{ "logins.json", "saved browser passwords" },
		{ "key4.db", "the browser key store" },
		{ "Local State", "the browser key store" },
		{ "wallet.dat", "a cryptocurrency wallet" },
		{ ".electrum", "a cryptocurrency wallet" },
	};

	/* Every needle holds a dot, a slash, a dash, an underscore or a space.
	 */
	if (!memchr(path, '.', len) && !memchr(path, '/', len) &&
	    !memchr(path, '_', len) && !memchr(path, '-', len) &&
	    !memchr(path, ' ', len))
		return NULL;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *n = paths[i].needle;
		size_t w = strlen(n);
		const char *hit;

		for (size_t at = 0; at + w <= len;
		     at = (size_t)(hit - path) + 1) {
			char before, after;

			hit = memmem(path + at, len - at, n, w);
			if (!hit)
				break;
			at = (size_t)(hit - path);
			before = at ? path[at - 1] : '/';
			after = at + w < len ? path[at + w] : '/';
			/* A whole path component, not part of a word. */
			if (n[0] != '/' && before != '/' && before != '~' &&
			    before != '\\' && !(at == 0))
				continue;
			if (after != '/' && after != '\\' && after != '"' &&
			    after != '\'')
				continue;
			return paths[i].label;
		}
	}
	return NULL;
}
