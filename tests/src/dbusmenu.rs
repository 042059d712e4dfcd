//! Driving the tray menu the way a desktop shell does: over D-Bus. The app's tray
//! (libayatana-appindicator) exports an org.kde.StatusNotifierItem whose `Menu` property names a
//! com.canonical.dbusmenu object; a panel reads it with GetLayout and reports a click with
//! Event(id, "clicked", …). Items are found by their label, as a user finds them.

use crate::bus::{child_nodes, first, PrivateBus};
use crate::gvariant::Value;
use crate::wait::{until_sync, Look, PATIENCE};
use anyhow::{bail, Context, Result};

/// Where libayatana-appindicator puts its items.
const ITEM_ROOT: &str = "/org/ayatana/NotificationItem";
const MENU_IFACE: &str = "com.canonical.dbusmenu";

#[derive(Debug, Clone, PartialEq)]
pub struct MenuItem {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    pub separator: bool,
    pub children: Vec<MenuItem>,
}

impl MenuItem {
    /// Depth-first, self first.
    pub fn walk(&self) -> Vec<&MenuItem> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }

    pub fn find(&self, label: &str) -> Option<&MenuItem> {
        self.walk().into_iter().find(|i| i.label == label)
    }

    /// The first item whose label starts with `prefix`: for labels that carry a count.
    pub fn find_starting(&self, prefix: &str) -> Option<&MenuItem> {
        self.walk()
            .into_iter()
            .find(|i| i.label.starts_with(prefix))
    }
}

pub struct TrayMenu<'a> {
    bus: &'a PrivateBus,
    /// The unique bus name of the app's connection that exports the menu.
    pub owner: String,
    pub path: String,
}

impl<'a> TrayMenu<'a> {
    /// Finds the tray menu exported by process `pid`, waiting for the app to create it.
    pub fn find(bus: &'a PrivateBus, pid: u32) -> Result<TrayMenu<'a>> {
        let (owner, path) = until_sync("the app's tray menu on D-Bus", PATIENCE, || {
            locate(bus, pid)
        })?;
        Ok(TrayMenu { bus, owner, path })
    }

    /// The whole menu (GetLayout from the root, all depths, all properties).
    pub fn layout(&self) -> Result<MenuItem> {
        let v = self.bus.call(
            &self.owner,
            &self.path,
            &format!("{MENU_IFACE}.GetLayout"),
            &["0", "-1", "[]"],
        )?;
        let layout = v
            .items()
            .and_then(|t| t.get(1))
            .context("GetLayout answered no layout")?;
        item(layout)
    }

    /// The item labelled `label`, anywhere in the menu.
    pub fn item(&self, label: &str) -> Result<MenuItem> {
        let root = self.layout()?;
        match root.find(label) {
            Some(i) => Ok(i.clone()),
            None => bail!(
                "no tray menu item labelled {label:?}; the menu has {:?}",
                labels(&root)
            ),
        }
    }

    /// The item whose label starts with `prefix`, anywhere in the menu.
    pub fn item_starting(&self, prefix: &str) -> Result<MenuItem> {
        let root = self.layout()?;
        match root.find_starting(prefix) {
            Some(i) => Ok(i.clone()),
            None => bail!(
                "no tray menu item labelled {prefix:?}…; the menu has {:?}",
                labels(&root)
            ),
        }
    }

    /// Clicks the item labelled `label` (which must be enabled, as a panel would insist).
    pub fn click(&self, label: &str) -> Result<()> {
        self.click_item(self.item(label)?)
    }

    /// Clicks the item whose label starts with `prefix`.
    pub fn click_starting(&self, prefix: &str) -> Result<()> {
        self.click_item(self.item_starting(prefix)?)
    }

    fn click_item(&self, item: MenuItem) -> Result<()> {
        if !item.enabled {
            bail!("the tray menu item {:?} is disabled", item.label);
        }
        self.event(item.id, "clicked")
    }

    /// Sends Event(id, kind, <int32 0>, 0), as panels do for a click.
    pub fn event(&self, id: i32, kind: &str) -> Result<()> {
        self.bus.call(
            &self.owner,
            &self.path,
            &format!("{MENU_IFACE}.Event"),
            &[&id.to_string(), kind, "<int32 0>", "0"],
        )?;
        Ok(())
    }

    /// The first item's label: the app's status line.
    pub fn status_line(&self) -> Result<String> {
        let root = self.layout()?;
        root.children
            .first()
            .map(|i| i.label.clone())
            .context("the tray menu is empty")
    }
}

/// Labels in menu order, for error messages.
pub fn labels(root: &MenuItem) -> Vec<String> {
    root.walk()
        .into_iter()
        .filter(|i| !i.label.is_empty())
        .map(|i| i.label.clone())
        .collect()
}

fn locate(bus: &PrivateBus, pid: u32) -> Result<Look<(String, String)>> {
    let names = bus.names()?;
    // Only the app's own connections are asked, so no other peer (the monitor, which cannot
    // answer) is ever introspected.
    let mut mine = Vec::new();
    for name in names.iter().filter(|n| n.starts_with(':')) {
        if bus.pid_of(name).ok() == Some(pid) {
            mine.push(name.clone());
        }
    }
    for name in &mine {
        let Ok(xml) = bus.introspect(name, ITEM_ROOT) else {
            continue;
        };
        for node in child_nodes(&xml) {
            let item_path = format!("{ITEM_ROOT}/{node}");
            let menu = bus.call(
                name,
                &item_path,
                "org.freedesktop.DBus.Properties.Get",
                &["org.kde.StatusNotifierItem", "Menu"],
            );
            if let Ok(v) = menu {
                if let Some(path) = first(&v)?.as_str() {
                    return Ok(Look::Done((name.clone(), path.to_string())));
                }
            }
        }
    }
    Ok(Look::NotYet(format!(
        "app pid {pid} has connections {mine:?}; no StatusNotifierItem under {ITEM_ROOT}"
    )))
}

/// One `(id, {props}, [children])` of a layout.
fn item(v: &Value) -> Result<MenuItem> {
    let parts = v.items().context("a layout item is not a tuple")?;
    let [id, props, children] = parts else {
        bail!("a layout item has {} parts, not 3", parts.len())
    };
    let id = i32::try_from(id.as_int().context("an item id is not a number")?)
        .context("an item id out of range")?;
    let label = props
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let children = children
        .items()
        .context("an item's children are not an array")?
        .iter()
        .map(item)
        .collect::<Result<_>>()?;
    Ok(MenuItem {
        id,
        // dbusmenu marks mnemonics with '_'; the app's labels have none, but a panel strips them.
        label: label
            .replace("__", "\u{0}")
            .replace('_', "")
            .replace('\u{0}', "_"),
        enabled: props
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        visible: props
            .get("visible")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        separator: props.get("type").and_then(Value::as_str) == Some("separator"),
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gvariant::parse;

    /// Taskbell's tray as gdbus printed it.
    const LAYOUT: &str = "(uint32 2, (0, {'children-display': <'submenu'>}, [<(2, {'enabled': <false>, 'label': <'Sandbox · live'>}, @av [])>, <(3, {'enabled': <true>, 'type': <'separator'>}, @av [])>, <(4, {'label': <'For me (2)…'>}, @av [])>, <(5, {'enabled': <false>, 'label': <'Mark all read'>}, @av [])>, <(6, {'label': <'New task…'>}, @av [])>, <(7, {'label': <'Task history…'>}, @av [])>, <(8, {'children-display': <'submenu'>, 'label': <'Pause notifications'>}, [<(9, {'label': <'For 1 hour'>}, @av [])>, <(10, {'label': <'Until resumed'>}, @av [])>, <(11, {'enabled': <false>, 'label': <'Resume'>}, @av [])>])>, <(12, {'label': <'Settings…'>}, @av [])>, <(13, {'enabled': <true>, 'type': <'separator'>}, @av [])>, <(14, {'label': <'Quit'>}, @av [])>]))";

    #[test]
    fn reads_the_tray_layout() {
        let v = parse(LAYOUT).expect("parses");
        let root = item(&v.items().expect("tuple")[1]).expect("layout");
        assert_eq!(root.children.len(), 10);
        assert_eq!(root.children[0].label, "Sandbox · live");
        assert!(!root.children[0].enabled);
        assert!(root.children[1].separator);
        let for_me = root
            .find_starting("For me (")
            .expect("after the status line");
        assert_eq!((for_me.id, for_me.label.as_str()), (4, "For me (2)…"));
        assert!(!root.find("Mark all read").expect("after For me").enabled);
        let hour = root.find("For 1 hour").expect("in the submenu");
        assert_eq!(hour.id, 9);
        let resume = root.find("Resume").expect("in the submenu");
        assert!(!resume.enabled);
        assert_eq!(root.find("Quit").map(|i| i.id), Some(14));
        assert_eq!(
            labels(&root),
            [
                "Sandbox · live",
                "For me (2)…",
                "Mark all read",
                "New task…",
                "Task history…",
                "Pause notifications",
                "For 1 hour",
                "Until resumed",
                "Resume",
                "Settings…",
                "Quit"
            ]
        );
    }
}
