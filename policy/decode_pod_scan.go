package policy

import "strings"

// The fields of podView by level, for the scanner to give up on a key that
// encoding/json would match to one of them in another letter case.
var (
	podFields       = []string{"metadata", "spec"}
	metadataFields  = []string{"name", "generateName", "namespace", "uid", "labels", "annotations", "ownerReferences"}
	specFields      = []string{"nodeName", "nodeSelector", "affinity", "tolerations", "volumes", "os", "schedulerName", "initContainers", "containers", "ephemeralContainers"}
	containerFields = []string{"name", "image", "imagePullPolicy", "resources"}
	resourceFields  = []string{"limits", "requests", "claims"}
	volumeFields    = []string{"name", "emptyDir", "hostPath"}
)

// scan fills v from raw in one walk (jsonscan.go); false means raw needs
// encoding/json's full decode.
func (v *podView) scan(raw []byte) bool {
	s := &jsonScanner{data: raw}
	s.space()
	if s.i >= len(raw) || raw[s.i] != '{' {
		return false
	}
	var seen fieldSet
	return s.object(1, func(key []byte) bool {
		switch string(key) {
		case "metadata":
			var fields fieldSet
			return seen.once(key, podFields) && s.nested(2, func(key []byte) bool { return v.scanMetadata(s, key, &fields) })
		case "spec":
			var fields fieldSet
			return seen.once(key, podFields) && s.nested(2, func(key []byte) bool { return v.scanSpec(s, key, &fields) })
		}
		return s.skipOther(key, podFields, 2)
	}) && s.end()
}

func (v *podView) scanMetadata(s *jsonScanner, key []byte, seen *fieldSet) bool {
	if !seen.once(key, metadataFields) {
		return false
	}
	m := &v.Metadata
	switch string(key) {
	case "name":
		return s.decodeString(&m.Name)
	case "generateName":
		return s.decodeString(&m.GenerateName)
	case "namespace":
		return s.decodeString(&m.Namespace)
	case "uid":
		return s.decodeString((*string)(&m.UID))
	case "labels":
		return s.decodeStringMap(&m.Labels)
	case "annotations":
		return s.decodeStringMap(&m.Annotations)
	case "ownerReferences":
		return s.ownerReferences(&m.OwnerReferences)
	}
	return s.skipOther(key, metadataFields, 3)
}

func (v *podView) scanSpec(s *jsonScanner, key []byte, seen *fieldSet) bool {
	if !seen.once(key, specFields) {
		return false
	}
	p := &v.Spec
	switch string(key) {
	case "nodeName":
		return s.decodeString(&p.NodeName)
	case "nodeSelector":
		return s.decodeStringMap(&p.NodeSelector)
	case "affinity":
		return s.decode(&p.Affinity)
	case "tolerations":
		return s.tolerations(&p.Tolerations)
	case "volumes":
		return s.volumes(&p.Volumes)
	case "os":
		return s.decode(&p.OS)
	case "schedulerName":
		return s.decodeString(&p.SchedulerName)
	case "initContainers":
		return s.containers(&p.InitContainers)
	case "containers":
		return s.containers(&p.Containers)
	case "ephemeralContainers":
		return s.containers(&p.EphemeralContainers)
	}
	return s.skipOther(key, specFields, 3)
}

// containers scans a list of containers.
func (s *jsonScanner) containers(out *[]containerView) bool {
	return scanList(s, out, containerFields, func(c *containerView, key []byte) bool {
		switch string(key) {
		case "name":
			return s.decodeString(&c.Name)
		case "image":
			return s.decodeString(&c.Image)
		case "imagePullPolicy":
			return s.decodeString((*string)(&c.ImagePullPolicy))
		case "resources":
			return s.resources(&c.Resources)
		}
		return s.skipOther(key, containerFields, 5)
	})
}

// volumes scans a list of volumes.
func (s *jsonScanner) volumes(out *[]volumeView) bool {
	return scanList(s, out, volumeFields, func(v *volumeView, key []byte) bool {
		switch string(key) {
		case "name":
			return s.decodeString(&v.Name)
		case "emptyDir":
			return s.emptyDir(&v.EmptyDir)
		case "hostPath":
			return s.decode(&v.HostPath)
		}
		return s.skipOther(key, volumeFields, 5)
	})
}

// scanList scans a list of objects (null, or objects and nulls) into out,
// each member of an item through member.
func scanList[T any](s *jsonScanner, out *[]T, fields []string, member func(item *T, key []byte) bool) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		return s.literal("null")
	}
	if s.i >= len(s.data) || s.data[s.i] != '[' {
		return false
	}
	list := make([]T, 0, 4)
	ok := s.array(3, func() bool {
		var item T
		var seen fieldSet
		ok := s.nested(4, func(key []byte) bool { return seen.once(key, fields) && member(&item, key) })
		list = append(list, item)
		return ok
	})
	*out = list
	return ok
}

// nested scans an object member by member, or a null, which encoding/json
// leaves as the zero value.
func (s *jsonScanner) nested(depth int, member func(key []byte) bool) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		return s.literal("null")
	}
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		return false
	}
	return s.object(depth, member)
}

// skipOther skips the value of a key the view does not hold; it gives up on
// a key encoding/json would match to one of fields regardless of case.
func (s *jsonScanner) skipOther(key []byte, fields []string, depth int) bool {
	for _, c := range key {
		if c >= 0x80 {
			return false // Unicode case folding can reach ASCII names
		}
	}
	for _, f := range fields {
		if strings.EqualFold(string(key), f) {
			return false
		}
	}
	_, ok := s.value(depth)
	return ok
}
