import { useLaunch } from '@tarojs/taro'

function App({ children }) {
  useLaunch(() => {})
  return children
}

export default App
