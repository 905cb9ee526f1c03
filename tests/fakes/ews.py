"""Exchange Web Services as an on-premises Exchange 2016 answers on the wire.

Served through requests-mock (exchangelib uses requests), so the real
exchangelib builds and parses every SOAP message. Responses follow the shapes
in Microsoft's EWS reference: ServerVersionInfo header, one ResponseMessage per
requested id, ResponseClass="Error" with ResponseCode and MessageText.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from lxml import etree

URL = "https://mail.example.gov.uk/EWS/Exchange.asmx"
NS = {
    "s": "http://schemas.xmlsoap.org/soap/envelope/",
    "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
    "t": "http://schemas.microsoft.com/exchange/services/2006/types",
}
ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507"
        MinorBuildNumber="6" Version="V2017_07_11"
        xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"
        xmlns="http://schemas.microsoft.com/exchange/services/2006/types"
        xmlns:xsd="http://www.w3.org/2001/XMLSchema"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <m:{op}Response xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>{messages}</m:ResponseMessages>
    </m:{op}Response>
  </s:Body>
</s:Envelope>"""
NOT_FOUND = "The specified object was not found in the store."


@dataclass
class FakeFolder:
    id: str
    name: str
    parent: str | None
    distinguished: str | None = None


@dataclass
class FakeItem:
    id: str
    folder: str
    mime: bytes
    received: datetime
    seq: int = 0  # arrival order within one second, as the store keeps it


@dataclass
class FakeEws:
    username: str = "EXAMPLE\\foi"
    password: str = "ews-password"
    folders: dict[str, FakeFolder] = field(default_factory=dict)
    items: dict[str, FakeItem] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        root = self._add_folder("Root", None, "root")
        top = self._add_folder("Top of Information Store", root.id, "msgfolderroot")
        self._add_folder("Inbox", top.id, "inbox")

    def _new_id(self, kind: str) -> str:
        raw = f"AAMkADk{kind}{next(self._ids):08d}".encode()
        return base64.b64encode(raw).decode()

    def _add_folder(self, name: str, parent: str | None, distinguished: str | None = None):
        folder = FakeFolder(self._new_id("F"), name, parent, distinguished)
        self.folders[folder.id] = folder
        return folder

    def _distinguished(self, name: str) -> FakeFolder:
        return next(f for f in self.folders.values() if f.distinguished == name)

    # -- helpers for tests --------------------------------------------------------

    def deliver(self, mime: bytes, received: datetime | None = None) -> str:
        item = FakeItem(self._new_id("I"), self._distinguished("inbox").id, mime,
                        (received or datetime.now(UTC)).replace(microsecond=0),
                        seq=len(self.items) + next(self._ids))
        self.items[item.id] = item
        return item.id

    def in_folder(self, path: str) -> list[bytes]:
        if path.lower() == "inbox":
            folder = self._distinguished("inbox").id
        else:
            parent = self._distinguished("msgfolderroot").id
            for name in path.split("/"):
                match = [f for f in self.folders.values() if f.parent == parent and f.name == name]
                if not match:
                    return []
                parent = match[0].id
            folder = parent
        found = sorted((i for i in self.items.values() if i.folder == folder),
                       key=lambda i: (i.received, i.seq))
        return [i.mime for i in found]

    # -- the HTTP side ----------------------------------------------------------------

    def install(self, mocker) -> None:
        mocker.post(URL, text=self.handle)

    def handle(self, request, context) -> str:
        expected = "Basic " + base64.b64encode(
            f"{self.username}:{self.password}".encode()
        ).decode()
        if request.headers.get("Authorization") != expected:
            context.status_code = 401
            context.headers["WWW-Authenticate"] = 'Basic realm="mail.example.gov.uk"'
            return ""
        body = etree.fromstring(request.body if isinstance(request.body, bytes)
                                else request.body.encode())
        operation = body.find("s:Body", NS)[0]
        name = etree.QName(operation).localname
        self.operations.append(name)
        context.headers["Content-Type"] = "text/xml; charset=utf-8"
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            context.status_code = 500
            return f"unsupported operation {name}"
        return ENVELOPE.format(op=name, messages=handler(operation))

    # -- operations -----------------------------------------------------------------

    def _folder_ids(self, element) -> list[FakeFolder | None]:
        found = []
        for ref in element:
            local = etree.QName(ref).localname
            if local == "DistinguishedFolderId":
                wanted = ref.get("Id")
                found.append(next((f for f in self.folders.values()
                                   if f.distinguished == wanted), None))
            elif local == "FolderId":
                found.append(self.folders.get(ref.get("Id")))
        return found

    def _folder_xml(self, folder: FakeFolder) -> str:
        children = sum(1 for f in self.folders.values() if f.parent == folder.id)
        total = sum(1 for i in self.items.values() if i.folder == folder.id)
        parent = (f'<t:ParentFolderId Id="{folder.parent}" ChangeKey="AQAAAA=="/>'
                  if folder.parent else "")
        distinguished = (f"<t:DistinguishedFolderId>{folder.distinguished}"
                         "</t:DistinguishedFolderId>" if folder.distinguished else "")
        return (
            f'<t:Folder><t:FolderId Id="{folder.id}" ChangeKey="AQAAABYAAAAPxolXAHv3Ta"/>'
            f"{parent}<t:FolderClass>IPF.Note</t:FolderClass>"
            f"<t:DisplayName>{escape(folder.name)}</t:DisplayName>"
            f"<t:TotalCount>{total}</t:TotalCount><t:ChildFolderCount>{children}"
            "</t:ChildFolderCount><t:EffectiveRights><t:CreateAssociated>true"
            "</t:CreateAssociated><t:CreateContents>true</t:CreateContents><t:CreateHierarchy>"
            "true</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify>"
            "<t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems>"
            f"</t:EffectiveRights>{distinguished}<t:UnreadCount>0</t:UnreadCount></t:Folder>"
        )

    @staticmethod
    def _success(op: str, inner: str) -> str:
        return (f'<m:{op}ResponseMessage ResponseClass="Success">'
                f"<m:ResponseCode>NoError</m:ResponseCode>{inner}</m:{op}ResponseMessage>")

    @staticmethod
    def _error(op: str, code: str, text: str) -> str:
        return (f'<m:{op}ResponseMessage ResponseClass="Error"><m:MessageText>{text}'
                f"</m:MessageText><m:ResponseCode>{code}</m:ResponseCode>"
                f"<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:{op}ResponseMessage>")

    def _GetFolder(self, operation) -> str:
        out = []
        for folder in self._folder_ids(operation.find("m:FolderIds", NS)):
            if folder is None:
                out.append(self._error("GetFolder", "ErrorFolderNotFound",
                                       "The specified folder could not be found in the store."))
            else:
                out.append(self._success("GetFolder",
                                         f"<m:Folders>{self._folder_xml(folder)}</m:Folders>"))
        return "".join(out)

    def _FindFolder(self, operation) -> str:
        deep = operation.get("Traversal") == "Deep"
        out = []
        for parent in self._folder_ids(operation.find("m:ParentFolderIds", NS)):
            found = self._descendants(parent.id) if deep else [
                f for f in self.folders.values() if f.parent == parent.id]
            folders = "".join(self._folder_xml(f) for f in found)
            out.append(self._success(
                "FindFolder",
                f'<m:RootFolder IndexedPagingOffset="{len(found)}" TotalItemsInView='
                f'"{len(found)}" IncludesLastItemInRange="true"><t:Folders>{folders}'
                "</t:Folders></m:RootFolder>",
            ))
        return "".join(out)

    def _descendants(self, folder_id: str) -> list[FakeFolder]:
        found = []
        for child in [f for f in self.folders.values() if f.parent == folder_id]:
            found += [child, *self._descendants(child.id)]
        return found

    def _CreateFolder(self, operation) -> str:
        [parent] = self._folder_ids(operation.find("m:ParentFolderId", NS))
        out = []
        for element in operation.find("m:Folders", NS):
            name = element.find("t:DisplayName", NS).text
            folder = self._add_folder(name, parent.id)
            out.append(self._success(
                "CreateFolder",
                f'<m:Folders><t:Folder><t:FolderId Id="{folder.id}" '
                'ChangeKey="AQAAABYAAAAPxolXAHv3Ta"/></t:Folder></m:Folders>',
            ))
        return "".join(out)

    def _FindItem(self, operation) -> str:
        [folder] = self._folder_ids(operation.find("m:ParentFolderIds", NS))
        items = [i for i in self.items.values() if i.folder == folder.id]
        constant = operation.find(".//t:IsGreaterThanOrEqualTo//t:Constant", NS)
        if constant is not None:
            since = datetime.fromisoformat(constant.get("Value").replace("Z", "+00:00"))
            items = [i for i in items if i.received >= since]
        items.sort(key=lambda i: (i.received, i.seq))
        view = operation.find("m:IndexedPageItemView", NS)
        offset = int(view.get("Offset", "0")) if view is not None else 0
        limit = int(view.get("MaxEntriesReturned", "1000")) if view is not None else 1000
        page = items[offset : offset + limit]
        xml = "".join(
            f'<t:Message><t:ItemId Id="{i.id}" ChangeKey="CQAAABYAAAC"/>'
            f"<t:DateTimeReceived>{i.received.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            "</t:DateTimeReceived></t:Message>"
            for i in page
        )
        last = offset + len(page) >= len(items)
        return self._success(
            "FindItem",
            f'<m:RootFolder IndexedPagingOffset="{offset + len(page)}" TotalItemsInView='
            f'"{len(items)}" IncludesLastItemInRange="{str(last).lower()}">'
            f"<t:Items>{xml}</t:Items></m:RootFolder>",
        )

    def _GetItem(self, operation) -> str:
        out = []
        for ref in operation.find("m:ItemIds", NS):
            item = self.items.get(ref.get("Id"))
            if item is None:
                out.append(self._error("GetItem", "ErrorItemNotFound", NOT_FOUND))
                continue
            mime = base64.b64encode(item.mime).decode()
            out.append(self._success(
                "GetItem",
                f'<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{mime}</t:MimeContent>'
                f'<t:ItemId Id="{item.id}" ChangeKey="CQAAABYAAAC"/>'
                f"<t:Size>{len(item.mime)}</t:Size></t:Message></m:Items>",
            ))
        return "".join(out)

    def _MoveItem(self, operation) -> str:
        [target] = self._folder_ids(operation.find("m:ToFolderId", NS))
        out = []
        for ref in operation.find("m:ItemIds", NS):
            item = self.items.pop(ref.get("Id"), None)
            if item is None:
                out.append(self._error("MoveItem", "ErrorItemNotFound", NOT_FOUND))
                continue
            moved = FakeItem(self._new_id("I"), target.id, item.mime, item.received, item.seq)
            self.items[moved.id] = moved  # Exchange gives a moved item a new id
            out.append(self._success(
                "MoveItem",
                f'<m:Items><t:Message><t:ItemId Id="{moved.id}" ChangeKey="CQAAABYAAAD"/>'
                "</t:Message></m:Items>",
            ))
        return "".join(out)

    def _CreateItem(self, operation) -> str:
        out = []
        for message in operation.find("m:Items", NS):
            mime = message.find("t:MimeContent", NS)
            if operation.get("MessageDisposition") == "SendOnly" and mime is not None:
                self.sent.append(base64.b64decode(mime.text))
            out.append(self._success("CreateItem", "<m:Items/>"))
        return "".join(out)
